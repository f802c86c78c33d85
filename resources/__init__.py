"""Data shipped with Dialdesk (rules, samples, scripts, area codes, icons), installed as `desktop._resources`."""
