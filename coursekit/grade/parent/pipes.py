"""The parent's ends of a child's pipes: its output drained into a bounded buffer, requests written with a deadline."""
import os
import select
import threading
import time


class Drain(threading.Thread):
    """Reads the child's stdout+stderr to the end, keeping the first ``limit`` and last 1024 bytes."""

    def __init__(self, stream, limit):
        super().__init__(daemon=True)
        self.stream, self.limit, self.kept, self.tail, self.total = stream, limit, bytearray(), b"", 0

    def run(self):
        while True:
            chunk = self.stream.read1(1 << 16) if hasattr(self.stream, "read1") else self.stream.read(1 << 16)
            if not chunk:
                return
            self.total += len(chunk)
            room = self.limit - len(self.kept)
            if room > 0:
                self.kept += chunk[:room]
            self.tail = (self.tail + chunk)[-1024:]



class FdWriter:
    """Writes to a non-blocking fd, waiting at most until ``deadline``."""

    def __init__(self, fd, deadline):
        self.fd, self.deadline = fd, deadline

    def write(self, data):
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.fd, view):]
            except BlockingIOError:
                remaining = self.deadline - time.monotonic()
                if remaining <= 0 or not select.select([], [self.fd], [], remaining)[1]:
                    raise TimeoutError from None

    def flush(self):
        pass

