"""The openstack client plugin: ``openstack freezer ...``."""
