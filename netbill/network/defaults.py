"""Defaults of the network objects every ISP starts with."""

SUSPENDED_POOL = {
    "name": "netbill-suspended",
    "ranges": "10.254.0.0/22",
    "version": 4,
    "size": 1024,
    "address_list": "netbill-suspended",
    "description": "Suspended customers: the router redirects this address list to the "
    "payment page. Protected: it cannot be renamed or deleted.",
}
