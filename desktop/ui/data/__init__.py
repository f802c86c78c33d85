"""The user's data: importing call lists, back-up, restore and the database check."""
