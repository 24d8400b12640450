"""`make run` answers without Nagle's 40 ms wait (local/run.py: answer_without_delay)."""

from __future__ import annotations

import socket
import threading

from chalice import Chalice
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, LocalDevServer, create_local_server
from werkzeug.serving import WSGIRequestHandler

from local.run import answer_without_delay


def test_both_local_servers_set_tcp_nodelay_on_each_connection():
    answer_without_delay()
    assert ChaliceRequestHandler.disable_nagle_algorithm is True
    assert WSGIRequestHandler.disable_nagle_algorithm is True  # moto's server (MotoRequestHandler) inherits it


def test_a_connection_to_the_api_server_has_tcp_nodelay():
    answer_without_delay()
    app = Chalice("nodelay")
    seen: list[int] = []

    @app.route("/")
    def index():
        return {}

    class Recording(ChaliceRequestHandler):
        def setup(self):
            super().setup()
            seen.append(self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    config = Config.create(chalice_app=app)
    create_local_server(app, config, "127.0.0.1", 0).server.server_close()  # what local.run does to the app
    server = LocalDevServer(app, config, "127.0.0.1", 0, handler_cls=Recording)
    thread = threading.Thread(target=server.server.handle_request, daemon=True)
    thread.start()
    with socket.create_connection(server.server.server_address[:2], timeout=5) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := client.recv(4096):  # to the end: closing early would break the server's last write
            answer += chunk
    thread.join(5)
    server.server.server_close()
    assert answer.startswith(b"HTTP/1.1 200")
    assert seen == [1]
