"""One window per database: a second start hands its request to the first over a QLocalSocket and exits.

The first window listens on a per-user, per-database name (`desktop.services.instance.server_name`);
a later `dialdesk` (or `dialdesk tel:+12125550134`, as a browser runs it on a click-to-call link)
connects, sends one JSON line and waits for "ok". The running window comes forward and shows the
lead that has the number; nothing is dialled until the user presses Call, and the gate decides.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket
from PySide6.QtWidgets import QMainWindow

from desktop.services.instance import (
    MESSAGE_LIMIT,
    CallLinkService,
    LinkTarget,
    decode_message,
    encode_message,
    server_name,
)
from desktop.services.leads import display_number
from desktop.services.workspace import DatabaseError
from desktop.ui.common.application import make_application

log = logging.getLogger(__name__)
CONNECT_TIMEOUT_MS = 1000
# The first window answers from its event loop; it may still be opening a big database.
ANSWER_TIMEOUT_MS = 10_000
ACK = b"ok\n"


class InstanceBusy(RuntimeError):
    """A window is listening but did not take the request in time."""


class InstanceServer(QObject):
    """Listens for requests from later starts; emits each one as {"call": uri | None, "argv": [...]}."""

    requestReceived = Signal(object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self.on_server_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Take the name; a socket left by a window that crashed is removed first (nobody answers on it)."""
        if self.server.listen(self.name):
            return True
        if self.server.serverError() == QAbstractSocket.SocketError.AddressInUseError:
            QLocalServer.removeServer(self.name)
            return self.server.listen(self.name)
        return False

    def close(self) -> None:
        self.server.close()

    @Slot()
    def on_server_new_connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self.on_socket_ready_read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def on_socket_ready_read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if b"\n" not in data and len(data) <= MESSAGE_LIMIT:
            self._buffers[socket] = data
            return
        self._buffers[socket] = b""
        request = decode_message(data.split(b"\n", 1)[0])
        if request is None:
            log.warning("ignored a malformed request on the instance socket")
            socket.disconnectFromServer()
            return
        socket.write(ACK)
        socket.flush()
        socket.disconnectFromServer()
        log.info("request from a second start (link: %s)", "yes" if request["call"] else "no")
        self.requestReceived.emit(request)

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()


def send_to_running(name: str, data: bytes) -> bool:
    """Hand `data` to the window listening on `name`: True when it took it, False when none listens.

    Raises InstanceBusy when a window listens but does not answer in time.
    """
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    socket.write(data)
    socket.flush()
    socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    answer = b""
    while ACK not in answer:
        if not socket.waitForReadyRead(ANSWER_TIMEOUT_MS):
            break
        answer += bytes(socket.readAll().data())
    socket.abort()
    if ACK not in answer:
        raise InstanceBusy("a Dialdesk window is open on this database but did not answer")
    return True


def claim_or_hand_off(database_url: str, call_uri: str | None, argv: list[str]) -> InstanceServer | None:
    """Before opening the window: hand the request to a running window (None: this start is done), or
    take the name and return the server the new window will listen with."""
    make_application(argv)
    name = server_name(database_url)
    data = encode_message(call_uri, argv[1:])
    try:
        if send_to_running(name, data):
            return None
        server = InstanceServer(name)
        if not server.listen():
            # Another start took the name between our two steps: it is the window now.
            if send_to_running(name, data):
                return None
            log.warning("cannot listen on the instance socket: %s", server.server.errorString())
    except InstanceBusy as error:
        raise DatabaseError(f"{error}: wait a moment, or close that window and start again") from None
    return server


def bring_forward(window: QMainWindow) -> None:
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.setWindowState(
        (window.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
    )
    window.raise_()
    window.activateWindow()


class CallLinks(QObject):
    """Shows what a click-to-call link points at in the main window; never dials."""

    handled = Signal(object)  # the LinkTarget, once shown

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        workspace = window.workspace  # type: ignore[attr-defined]
        self.service = CallLinkService(workspace.uow, lambda: workspace.current_settings().default_region)

    @Slot(object)
    def on_request_received(self, request: dict[str, object]) -> None:
        bring_forward(self.window)
        call = request.get("call")
        if isinstance(call, str) and call:
            self.open_link(call)

    def open_link(self, uri: str) -> LinkTarget:
        window = self.window
        target = self.service.lookup(uri)
        dial_bar = window.dial_bar  # type: ignore[attr-defined]
        shown = display_number(target.e164, target.number) if target.e164 else target.number
        if target.problem is not None:
            dial_bar.show_banner(
                self.tr("The link has no number Dialdesk can call: {problem}").format(problem=target.problem)
            )
        elif target.lead_id is None:
            dial_bar.show_banner(
                self.tr(
                    "Link: {number}. No lead has this number; import or add it to a lead to call it."
                ).format(number=shown)
            )
        elif window.session.live:  # type: ignore[attr-defined]
            dial_bar.show_banner(
                self.tr(
                    "Link: {number} (lead #{lead}) arrived during a call: finish this call first."
                ).format(number=shown, lead=target.lead_id)
            )
        elif window.show_lead(target.lead_id):  # type: ignore[attr-defined]
            card = window.current_card  # type: ignore[attr-defined]
            if card is not None:
                dial_bar.set_phones(card.phones, target.phone_id)
                window.refresh_gate()  # type: ignore[attr-defined]
            window.statusBar().showMessage(
                self.tr("Opened from a link: {number}. Press Call when ready.").format(number=shown), 8000
            )
        log.info("link opened: lead %s", target.lead_id if target.lead_id is not None else "none")
        self.handled.emit(target)
        return target


def attach(window: QMainWindow, server: InstanceServer | None, call_uri: str | None) -> CallLinks:
    """Connect the instance server (when there is one) to the window and open the start's own link."""
    links = CallLinks(window)
    if server is not None:
        server.setParent(window)
        server.requestReceived.connect(links.on_request_received)
    if call_uri:
        links.open_link(call_uri)
    return links
