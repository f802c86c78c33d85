"""The call queue (the paged model and its panel) and the follow-up lists that feed it: callbacks and
meetings.
"""
