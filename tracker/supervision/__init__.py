"""督办 (supervision): the closed loop of 签收, 延期/办结申请, the ladder and its documents (ARCHITECTURE.md)."""
