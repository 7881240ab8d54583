"""The alarm receiver: SIA DC-09 over TCP and UDP (core in ``protocol``, shell in ``server``)."""
