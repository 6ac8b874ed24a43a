"""Proposal handling (提案办理): CPPCC/NPC proposals assigned to units, their replies and follow-up."""
