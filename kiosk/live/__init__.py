"""Socket.IO: the /live namespace and the bridge from domain events to rooms."""
