"""What every window feature shares: style, text helpers, tables, background workers, progress, banners,
clocks and the error dialog. Imports no feature package.
"""
