"""Search (搜索): tasks by number, title, text and unit name, across the plans the user may see."""
