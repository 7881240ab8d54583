"""Taking in what panels, cameras, the app and the phone system send, and handling alarms."""
