"""gunicorn's gthread worker with connection hygiene for a shared show-floor network.

gthread hands a connection to a thread as soon as its first byte arrives; a client that then sends
half a request line and stops holds that thread for as long as it likes, so a few hundred of them
stop the server. This worker keeps a connection in the poller, not in a thread, until its whole
request head has arrived, and drops it if that takes longer than ``server.header_timeout``. A
request's body then has ``server.body_timeout`` to arrive whole, or the request is answered 408 and
its connection closed: a client that dribbles its body holds a thread no longer than that. The
worker caps the open connections per client address, gives live sockets (WebSocket, Socket.IO
long-poll) threads of their own so that they cannot starve ordinary requests, and lingers over
closing connections in the poller rather than in its main loop.
"""

from __future__ import annotations

import contextlib
import errno
import selectors
import socket
import time
from concurrent import futures
from functools import partial

from gunicorn.http.unreader import SocketUnreader
from gunicorn.workers.gthread import TConn, ThreadWorker

from kiosk.config import ServerSettings

# Flask-SocketIO's default path: a GET there is a long-poll or a WebSocket upgrade.
LIVE_PREFIX = b"/socket.io/"
# A head this long is handed on unfinished: the parser answers it (too large) or the backstop
# timeout ends it.
MAX_HEAD = 64 * 1024
# Lingering close (RFC 9112 section 9.6), as gunicorn's own but in the poller.
LINGER_SECONDS = 2.0
LINGER_DRAIN = 64 * 1024
NOTICE_EVERY = 60.0
ACCEPT_PAUSE = 0.5
REFUSAL_TEXT = b"too many connections\n"
REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nConnection: close\r\n"
    b"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (len(REFUSAL_TEXT), REFUSAL_TEXT)
)


def address_of(client) -> str:
    """The client address connections are counted by (the host, not the port)."""
    if isinstance(client, tuple) and client:
        return str(client[0])
    if isinstance(client, bytes):
        return client.decode(errors="replace")
    return str(client)


def head_complete(head: bytes | bytearray) -> bool:
    """Whether a request head has arrived whole (its empty line), or is too long to wait for."""
    return b"\r\n\r\n" in head or len(head) > MAX_HEAD


def is_live(head: bytes | bytearray) -> bool:
    """Whether a request opens a live socket: a WebSocket upgrade or a Socket.IO long-poll."""
    head = bytes(head).removeprefix(b"\r\n")
    line, _, fields = head.partition(b"\r\n")
    parts = line.split(b" ")
    if len(parts) == 3 and parts[0] == b"GET" and parts[1].startswith(LIVE_PREFIX):
        return True
    return b"\nupgrade:" in b"\n" + fields.split(b"\r\n\r\n", 1)[0].lower().replace(b"\r", b"")


class BodyTimeout(TimeoutError):
    """The request body did not arrive whole in time.

    The app reading the body answers 408 (kiosk.web.errors); gunicorn, draining what is left of
    it after the answer, sees a socket timeout and closes the connection.
    """

    def __init__(self, seconds: float):
        super().__init__(
            f"the request body did not arrive within {seconds:g} s (server.body_timeout)"
        )


class BodyReader(SocketUnreader):
    """gunicorn's socket reader, with a deadline for the request body once the head is in."""

    def __init__(self, sock, seconds: float):
        super().__init__(sock)
        self.seconds = seconds
        self.deadline: float | None = None

    def chunk(self, size_hint=None):
        """The next bytes from the client, waiting no longer than the body's deadline."""
        if self.deadline is None:
            return super().chunk(size_hint)
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise BodyTimeout(self.seconds)
        prior = self.sock.gettimeout()
        self.sock.settimeout(left if prior is None else min(prior, left))
        try:
            return super().chunk(size_hint)
        except TimeoutError:
            if time.monotonic() >= self.deadline:
                raise BodyTimeout(self.seconds) from None
            raise
        finally:
            with contextlib.suppress(OSError):
                self.sock.settimeout(prior)


class KioskConn(TConn):
    """A client connection that knows its worker, its unread head and its address's count."""

    def __init__(self, worker: KioskWorker, sock, client, server):
        super().__init__(worker.cfg, sock, client, server)
        self.worker = worker
        self.address = address_of(client)
        self.head = bytearray()
        self.head_ready = False
        self.live = False
        self.deadline = 0.0
        self.drained = 0
        self.released = False
        # The head is read in the poller; the thread never waits for a first byte.
        self.data_ready = True

    def init(self):
        """Set up the parser in the worker thread and give it the head read so far."""
        super().init()
        if type(self.parser.unreader) is SocketUnreader:
            self.parser.unreader = BodyReader(self.sock, self.worker.limits.body_timeout)
        if isinstance(self.parser.unreader, BodyReader):
            # A new request: its head is read here, its body's deadline starts once it is parsed.
            self.parser.unreader.deadline = None
        if self.head:
            self.parser.unreader.unread(bytes(self.head))
            self.head = bytearray()
        # A backstop only: the head is buffered already, so parsing it waits for nothing.
        self.sock.settimeout(self.worker.limits.header_timeout)

    def close(self, graceful=False):
        """Close now, or half-close and let the poller linger (never in the main loop)."""
        if graceful and self.worker.alive:
            self.worker.linger(self)
            return
        super().close()
        self.release()

    def release(self):
        """Free this connection's place in its address's count (once)."""
        if not self.released:
            self.released = True
            self.worker.connection_closed(self.address)


class KioskWorker(ThreadWorker):
    """gthread with a header timeout, a per-address cap and separate threads for live sockets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits: ServerSettings = getattr(self.app, "server_settings", None) or ServerSettings()
        self.live_pool = None
        # Insertion order is deadline order: every entry waits the same time from when it came.
        self.gathering: dict[KioskConn, None] = {}
        self.lingering: dict[KioskConn, None] = {}
        self.open_by_address: dict[str, int] = {}
        self.dropped = 0
        self.refused = 0
        self.noticed: dict[str, float] = {}
        self.accept_paused_until = 0.0

    def get_thread_pool(self):
        """Threads for ordinary requests; live sockets get ``cfg.threads`` of their own."""
        self.live_pool = futures.ThreadPoolExecutor(
            max_workers=self.cfg.threads, thread_name_prefix="live"
        )
        return futures.ThreadPoolExecutor(
            max_workers=self.limits.request_threads, thread_name_prefix="request"
        )

    def run(self):
        """gthread's loop; then the live threads are let go as well."""
        try:
            super().run()
        finally:
            self.live_pool.shutdown(wait=False)

    def handle_quit(self, sig, frame):
        """Immediate shutdown, live threads included."""
        if self.live_pool is not None:
            self.live_pool.shutdown(wait=False)
        super().handle_quit(sig, frame)

    # Admission --------------------------------------------------------------------------------

    def set_accept_enabled(self, enabled):
        """Accept while there is room or a head still arriving to make room, and files to spare."""
        enabled = enabled or bool(self.gathering)
        super().set_accept_enabled(enabled and time.monotonic() >= self.accept_paused_until)

    def accept(self, listener):
        """Accept one connection, unless its address already holds its share."""
        try:
            sock, client = listener.accept()
        except OSError as e:
            if e.errno in (errno.EMFILE, errno.ENFILE):
                # Out of files: the oldest unfinished head makes room, or accepting waits a moment.
                self.notice("files", "out of open files at %d connections", self.nr_conns)
                if not self.evict_oldest():
                    self.accept_paused_until = time.monotonic() + ACCEPT_PAUSE
                    self.set_accept_enabled(False)
            elif e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.admit(sock, client, listener.getsockname())

    def adopt(self, sock, client, server) -> None:
        """Take a connection accepted elsewhere in this process (the TLS front door); thread-safe."""
        self.method_queue.defer(self.admit, sock, client, server)

    def admit(self, sock, client, server) -> None:
        """Count the connection against its address and wait for its head (main thread)."""
        address = address_of(client)
        held = self.open_by_address.get(address, 0)
        # A load balancer carries everyone's connections: it caps them per client itself.
        capped = address not in self.limits.proxies
        if capped and held >= self.limits.max_connections_per_address:
            self.refuse(sock)
            self.notice(
                f"refused:{address}",
                "refusing connections from %s: %d open already"
                " (server.max_connections_per_address)",
                address,
                held,
            )
            return
        # At the connection limit, the connection waiting longest for its head gives way.
        if self.nr_conns >= self.worker_connections and not self.evict_oldest():
            self.refuse(sock)
            self.notice("full", "refusing connections: %d open already", self.nr_conns)
            return
        self.open_by_address[address] = held + 1
        self.nr_conns += 1
        self.enqueue_req(KioskConn(self, sock, client, server))

    def refuse(self, sock) -> None:
        """Answer 503 if the socket takes it at once, and close."""
        self.refused += 1
        try:
            sock.setblocking(False)
            sock.send(REFUSAL)
        except OSError:
            pass
        finally:
            sock.close()

    def evict_oldest(self) -> bool:
        """Close the connection that has waited longest for its head; False if there is none."""
        if not self.gathering:
            return False
        conn = next(iter(self.gathering))
        self.stop_gathering(conn)
        self.nr_conns -= 1
        conn.close()
        self.dropped += 1
        self.notice(
            "evicted",
            "at %d connections: dropping those that wait longest for their request head",
            self.nr_conns + 1,
        )
        return True

    def connection_closed(self, address: str) -> None:
        """One connection of this address is gone."""
        left = self.open_by_address.get(address, 0) - 1
        if left > 0:
            self.open_by_address[address] = left
        else:
            self.open_by_address.pop(address, None)

    # The request head, read in the poller -----------------------------------------------------

    def enqueue_req(self, conn):
        """Hand a connection with a whole head to a thread; otherwise wait for the rest first."""
        if not conn.head_ready:
            self.gather(conn)
            return
        conn.head_ready = False
        pool = self.live_pool if conn.live else self.tpool
        fs = pool.submit(self.handle, conn)
        fs.add_done_callback(lambda fut: self.method_queue.defer(self.finish_request, conn, fut))

    def gather(self, conn: KioskConn) -> None:
        """Wait in the poller until the head is whole, for at most ``header_timeout``."""
        conn.sock.setblocking(False)
        if conn.parser is not None:
            # Bytes read ahead by the last request (a pipelined request) are this head's start.
            conn.head = bytearray(conn.parser.unreader.take_buffered()) + conn.head
        # A kept-alive connection comes back from the poller readable: its head is usually here
        # already, so read it now rather than waiting a second round in the poller.
        if not head_complete(conn.head) and self.take_head(conn) is None:
            self.nr_conns -= 1
            conn.close()
            return
        if head_complete(conn.head):
            self.dispatch(conn)
            return
        conn.deadline = time.monotonic() + self.limits.header_timeout
        try:
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_head, conn))
        except (OSError, ValueError, KeyError):
            self.nr_conns -= 1
            conn.close()
            return
        self.gathering[conn] = None

    @staticmethod
    def take_head(conn: KioskConn) -> bool | None:
        """Read what has arrived: True when the head is whole, False when not yet, None: gone."""
        try:
            data = conn.sock.recv(MAX_HEAD)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            data = b""
        if not data:
            return None
        conn.head += data
        return head_complete(conn.head)

    def on_head(self, conn: KioskConn, _sock) -> None:
        """More of a head arrived (or the client left)."""
        whole = self.take_head(conn)
        if whole is False:
            return
        self.stop_gathering(conn)
        if whole is None:
            self.nr_conns -= 1
            conn.close()
            return
        self.dispatch(conn)

    def dispatch(self, conn: KioskConn) -> None:
        """The head is whole: to a live thread or a request thread."""
        conn.head_ready = True
        conn.live = is_live(conn.head)
        self.enqueue_req(conn)

    def stop_gathering(self, conn: KioskConn) -> None:
        self.gathering.pop(conn, None)
        self.unregister(conn)

    def murder_pending(self):
        """Close connections whose head is overdue, and lingering closes that are over."""
        super().murder_pending()
        now = time.monotonic()
        dropped = 0
        while self.gathering:
            conn = next(iter(self.gathering))
            if conn.deadline > now and self.alive:
                break
            self.stop_gathering(conn)
            self.nr_conns -= 1
            conn.close()
            dropped += 1
        if dropped:
            self.dropped += dropped
            self.notice(
                "slow-heads",
                "dropped %d connections (%d since start) that did not send a request head within"
                " %g s (server.header_timeout)",
                dropped,
                self.dropped,
                self.limits.header_timeout,
            )
        while self.lingering:
            conn = next(iter(self.lingering))
            if conn.deadline > now:
                break
            self.stop_lingering(conn)

    # Handing over to the application -----------------------------------------------------------

    def handle_request(self, req, conn):
        """The head is parsed: the body has ``body_timeout`` to arrive; a live socket has no limit.

        The deadline stays while the rest of an unread body is drained after the answer, so a
        body that timed out closes its connection at once.
        """
        conn.sock.settimeout(None)
        if not conn.live and isinstance(conn.parser.unreader, BodyReader):
            conn.parser.unreader.deadline = time.monotonic() + self.limits.body_timeout
        return super().handle_request(req, conn)

    # Closing ---------------------------------------------------------------------------------

    def linger(self, conn: KioskConn) -> None:
        """Send FIN, then read what the client still sends until it closes, in the poller."""
        try:
            conn.sock.shutdown(socket.SHUT_WR)
            conn.sock.setblocking(False)
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_linger, conn))
        except (OSError, ValueError, KeyError):
            conn.close()
            return
        conn.deadline = time.monotonic() + LINGER_SECONDS
        self.lingering[conn] = None

    def on_linger(self, conn: KioskConn, _sock) -> None:
        try:
            data = conn.sock.recv(LINGER_DRAIN)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        conn.drained += len(data)
        if not data or conn.drained >= LINGER_DRAIN:
            self.stop_lingering(conn)

    def stop_lingering(self, conn: KioskConn) -> None:
        self.lingering.pop(conn, None)
        self.unregister(conn)
        conn.close()

    def unregister(self, conn: KioskConn) -> None:
        """Take a connection off the poller if it is on it."""
        with contextlib.suppress(OSError, ValueError, KeyError):
            self.poller.unregister(conn.sock)

    def notice(self, key: str, message: str, *args) -> None:
        """A warning, at most once a minute for the same key."""
        now = time.monotonic()
        if now - self.noticed.get(key, -NOTICE_EVERY) < NOTICE_EVERY:
            return
        if len(self.noticed) > 1024:
            self.noticed.clear()
        self.noticed[key] = now
        self.log.warning(message, *args)
