"""Data-subject rights (GDPR art. 12–22): requests with their deadlines, and each right kept.

Every function here works on a connection the caller opened, iterates the data map rather
than naming tables, and writes an audit entry in the same transaction as what it records.
The CLI (``alarmvern rights``) and the web API call the same functions.
"""
