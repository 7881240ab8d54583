"""The customer's life in the system: what customer service registers, changes and ends.

One function per change, shared by the CLI (``alarmvern customer``), the API
(``/api/v1/customers``…) and the customer-service console (``/kundeservice``):

- :mod:`~alarmvern.customers.search`: ``find`` (the one customer search)
- :mod:`~alarmvern.customers.overview`: ``overview`` (one customer as customer service sees it)
- :mod:`~alarmvern.customers.accounts`: ``register_customer``, ``change_person``,
  ``end_relationship``, ``register_lead``, ``convert_lead``
- :mod:`~alarmvern.customers.sites`: ``add_site``, ``change_site``, ``add_panel_user``,
  ``remove_panel_user``, ``add_contact``, ``change_contact``, ``remove_contact``
- :mod:`~alarmvern.customers.contracts`: ``add_contract``, ``end_contract``
- :mod:`~alarmvern.customers.informing`: telling people registered by others (art. 14(3))
- :mod:`~alarmvern.customers.logins`: the first login by an activation link, and a
  forgotten password, by e-mail (single-use, expiring tokens kept as hashes)
- :mod:`~alarmvern.customers.importing`: bringing customers in from a CSV file

Each writes in the caller's transaction and audits the change; bad input raises
:class:`~alarmvern.customers.errors.InputError` (naming the field, bokmål and English)
before anything is written. The site's action plan is the operator module's
(``intake/action_plans.py``), edited on the operator console's site page.
"""
