"""File writers for exports (CSV now; XLSX, PDF and iCalendar as the reports grow). No ORM here."""
