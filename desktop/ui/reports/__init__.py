"""The supervisor's reports window: tables, charts and their exports."""
