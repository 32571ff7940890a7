"""Confinement of the grading child: resource limits, then (Linux) kernel sandboxing.

Called inside the child by its program (main.py, which loads this file by path), after the trusted imports and
before the submission is imported. Each layer is best effort and reports itself:

- ``set_limits``: address space, CPU seconds, file size 0 (no file can grow),
  open files, core dumps off, processes 0 (ignored by the kernel for root, hence:)
- ``confine`` on Linux:
  * no-new-privileges, and when running as root every capability dropped (so the
    limits cannot be raised again and no privileged call works);
  * Landlock: the file system becomes read-only and limited to the paths given
    (the interpreter, site-packages, coursekit, the submission's temporary
    directory), no TCP, signals and abstract sockets scoped to the child;
  * seccomp: no fork/vfork/clone of processes (threads stay allowed), no exec,
    no ptrace, no sockets, no io_uring; nothing that reaches another process (signals,
    prlimit64, priorities, CPU affinity, memory policy) and no SysV / POSIX IPC objects
    (they would outlive the child); no change to any file's metadata (chmod, chown, times,
    extended attributes, inode flags) and no lease, notification or owner on a file
    descriptor (fcntl), no change of user or group.

Before ``confine``, the worker (started as root) becomes a user of its own with
:func:`drop_privileges` and asks to die with the grader (:func:`die_with_parent`).

On other systems only the resource limits apply (the wall-time limit and process
group kill of the parent always apply). Only the standard library is used.
"""
import ctypes
import os
import platform
import signal
import stat
import struct
import sys

MiB = 1 << 20
PR_SET_NO_NEW_PRIVS, PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_SET_PDEATHSIG = 38, 24, 47, 1
# fcntl commands refused: F_SETOWN, F_SETSIG, F_SETOWN_EX, F_SETLEASE, F_NOTIFY
FCNTL_DENY = (8, 10, 15, 1024, 1026)
# ioctl commands refused: FS_IOC_SETFLAGS, FS_IOC32_SETFLAGS, FS_IOC_SETVERSION, FS_IOC32_SETVERSION,
# FS_IOC_FSSETXATTR (inode flags: immutable, append-only...), TIOCSTI (typing into a terminal)
IOCTL_DENY = (0x40086602, 0x40046602, 0x40087602, 0x40047602, 0x401C5820, 0x5412)

# Syscall numbers: x86_64 table / the generic table used by aarch64.
_ARCH = {
    "x86_64": dict(audit=0xC000003E, seccomp=317, capset=126, clone=56, clone3=435, kill=62, tkill=200, tgkill=234,
                   prlimit64=302, ioctl=16, fcntl=72,
                   deny=[57, 58, 59, 322, 101, 310, 311, 41, 129, 297, 434, 424, 438, 425, 272, 308, 321, 298, 323,
                         250, 248, 249,
                         141, 142, 144, 203, 314, 251, 256, 279, 312, 440, 448,
                         29, 30, 31, 67, 64, 65, 66, 220, 68, 69, 70, 71, 240, 241, 242, 243, 244, 245,
                         90, 91, 268, 452, 92, 93, 94, 260, 132, 235, 261, 280, 188, 189, 190, 197, 198, 199, 463, 466,
                         105, 106, 113, 114, 116, 117, 119, 122, 123]),
    "aarch64": dict(audit=0xC00000B7, seccomp=277, capset=91, clone=220, clone3=435, kill=129, tkill=130, tgkill=131,
                    prlimit64=261, ioctl=29, fcntl=25,
                    deny=[221, 281, 117, 270, 271, 198, 138, 240, 434, 424, 438, 425, 97, 268, 280, 241, 282, 219,
                          217, 218,
                          140, 118, 119, 122, 274, 30, 238, 239, 272, 440, 448,
                          194, 196, 195, 197, 190, 193, 191, 192, 186, 189, 188, 187, 180, 181, 182, 183, 184, 185,
                          52, 53, 452, 55, 54, 88, 5, 6, 7, 14, 15, 16, 463, 466,
                          146, 144, 145, 143, 159, 147, 149, 151, 152]),
}
# deny: fork, vfork, execve, execveat, ptrace, process_vm_readv/writev, socket, rt_sigqueueinfo,
#  rt_tgsigqueueinfo, pidfd_open, pidfd_send_signal, pidfd_getfd, io_uring_setup, unshare, setns, bpf,
#  perf_event_open, userfaultfd, keyctl, add_key, request_key;
#  other processes' scheduling and memory: setpriority, sched_setparam, sched_setscheduler,
#  sched_setaffinity, sched_setattr, ioprio_set, migrate_pages, move_pages, kcmp, process_madvise,
#  process_mrelease; objects that outlive the process: SysV shared memory, semaphores and message
#  queues, POSIX message queues; file metadata: chmod, fchmod, fchmodat(2), chown, fchown, lchown,
#  fchownat, utime, utimes, futimesat, utimensat, setxattr, lsetxattr, fsetxattr, removexattr,
#  lremovexattr, fremovexattr, setxattrat, removexattrat; identity: setuid, setgid, setreuid, setregid,
#  setgroups, setresuid, setresgid, setfsuid, setfsgid. prlimit64 only on this process (pid 0 or its own);
#  fcntl and ioctl except the commands of FCNTL_DENY and IOCTL_DENY.


def set_limits(limits):
    """Apply resource limits (soft = hard, so the child cannot raise them)."""
    try:
        import resource
    except ImportError:  # not POSIX
        return
    wanted = {
        "RLIMIT_AS": int(limits["memory_mb"]) * MiB,
        "RLIMIT_CPU": int(limits["cpu_s"]),
        "RLIMIT_FSIZE": 0,
        "RLIMIT_CORE": 0,
        "RLIMIT_NOFILE": 256,
        "RLIMIT_NPROC": 0,
    }
    for name, value in wanted.items():
        which = getattr(resource, name, None)
        if which is None:
            continue
        try:
            hard = resource.getrlimit(which)[1]
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writing a file fails instead of killing
    try:   # out of memory, the kernel kills a worker before the grader
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass


def open_paths(paths):
    """{path: O_PATH descriptor} of the ``paths`` that exist, opened while they are reachable (before
    :func:`drop_privileges`: the new user may not be allowed to walk to them)."""
    fds = {}
    for path in paths:
        try:
            fds[path] = os.open(path, getattr(os, "O_PATH", os.O_RDONLY) | os.O_CLOEXEC)
        except OSError:
            continue
    return fds


def confine(read_paths, limits, ruleset=None):
    """Sandbox the calling process; returns the list of layers now active.

    ``ruleset``: what :func:`landlock_ruleset` returned for ``read_paths`` (made before
    :func:`drop_privileges`, while every path could be opened); made here otherwise.
    """
    layers = ["resource limits"]
    if sys.platform != "linux":
        return layers
    arch = _ARCH.get(platform.machine())
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0:
        layers.append("no new privileges")
    if os.geteuid() == 0 and arch:
        layers.append(_drop_capabilities(libc, arch))
    layers.append(_landlock(libc, ruleset if ruleset is not None else landlock_ruleset(read_paths)))
    layers.append(_seccomp(libc, arch) if arch else "seccomp unavailable: unknown architecture")
    return layers


def drop_privileges(uid, gid):
    """Become ``uid``:``gid`` with no supplementary group and no capability, for good (as root only).

    The capability bounding set is emptied first (so nothing can come back through an
    exec, which seccomp denies anyway); then the groups, then gid, then uid (real, effective
    and saved). Raises OSError when the kernel refuses (no CAP_SETUID, an unmapped id).
    Returns the layer's description.
    """
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in range(64):
            libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
        libc.prctl(PR_CAP_AMBIENT, 4, 0, 0, 0)  # PR_CAP_AMBIENT_CLEAR_ALL
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid) or os.getgroups() not in ([], [gid]):
        raise OSError(f"the worker is still {os.getresuid()}:{os.getresgid()}")
    return f"user {uid}:{gid} of its own (no capabilities, owns no file)"


def die_with_parent(parent):
    """Ask the kernel to SIGKILL this process when the grader's thread that started it ends
    (the grader killed with SIGKILL included); exit now if the grader is already gone."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(70)


def _drop_capabilities(libc, arch):
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    libc.prctl(PR_CAP_AMBIENT, 4, 0, 0, 0)  # PR_CAP_AMBIENT_CLEAR_ALL
    header = ctypes.create_string_buffer(struct.pack("<Ii", 0x20080522, 0))  # _LINUX_CAPABILITY_VERSION_3
    data = ctypes.create_string_buffer(24)
    if libc.syscall(arch["capset"], header, data) != 0:
        return f"capabilities kept: {os.strerror(ctypes.get_errno())}"
    return "capabilities dropped"


def landlock_ruleset(read_paths):
    """(ruleset descriptor or None, ABI or error text): a Landlock ruleset allowing to read ``read_paths``
    (and write /dev/null) and nothing else, not yet enforced (Linux; :func:`confine` enforces it)."""
    if sys.platform != "linux":
        return None, "landlock unavailable: not Linux"
    libc = ctypes.CDLL(None, use_errno=True)
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    abi = syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    if abi < 1:
        return None, f"landlock unavailable: {os.strerror(ctypes.get_errno())}"
    fs = (1 << 13) - 1 | (1 << 13 if abi >= 2 else 0) | (1 << 14 if abi >= 3 else 0) | (1 << 15 if abi >= 5 else 0)
    fields = [fs] + ([3] if abi >= 4 else []) + ([3] if abi >= 6 else [])  # no TCP; scoped signals & sockets
    attr = ctypes.create_string_buffer(struct.pack(f"<{len(fields)}Q", *fields))
    ruleset = syscall(444, attr, ctypes.c_size_t(len(attr.raw)), ctypes.c_uint32(0))
    if ruleset < 0:
        return None, f"landlock unavailable: {os.strerror(ctypes.get_errno())}"
    read_file, read_dir, write_file = 1 << 2, 1 << 3, 1 << 1
    for path in list(read_paths) + ["/dev/null"]:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            is_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
            access = read_file | read_dir if is_dir else read_file | (write_file if path == "/dev/null" else 0)
            rule = ctypes.create_string_buffer(struct.pack("<Qi", access, fd))
            syscall(445, ruleset, 1, rule, ctypes.c_uint32(0))
        finally:
            os.close(fd)
    return ruleset, abi


def _landlock(libc, prepared):
    ruleset, abi = prepared
    if ruleset is None:
        return abi
    try:
        if libc.syscall(446, ruleset, ctypes.c_uint32(0)) != 0:
            return f"landlock failed: {os.strerror(ctypes.get_errno())}"
    finally:
        os.close(ruleset)
    return f"landlock v{abi}: read-only files" + (", scoped signals" if abi >= 6 else "")


def _seccomp(libc, arch):
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, kill = 0x7FFF0000, 0x80000000
    eperm, enosys = 0x00050000 | 1, 0x00050000 | 38

    prog = [(ld, 0, 0, 4), (jeq, 1, 0, arch["audit"]), (ret, 0, 0, kill), (ld, 0, 0, 0)]
    if platform.machine() == "x86_64":
        prog += [(jge, 0, 1, 0x40000000), (ret, 0, 0, kill)]  # no x32 ABI
    for nr in arch["deny"]:
        prog += [(jeq, 0, 1, nr), (ret, 0, 0, eperm)]
    prog += [(jeq, 0, 1, arch["clone3"]), (ret, 0, 0, enosys)]  # libc falls back to clone
    # clone: threads only (CLONE_THREAD in flags, the first argument)
    prog += [(jeq, 0, 4, arch["clone"]), (ld, 0, 0, 16), (jset, 1, 0, 0x10000), (ret, 0, 0, eperm), (ret, 0, 0, allow)]
    pid = os.getpid()
    for nr in (arch["kill"], arch["tkill"], arch["tgkill"]):  # signals to this process only
        prog += [(jeq, 0, 4, nr), (ld, 0, 0, 16), (jeq, 0, 1, pid), (ret, 0, 0, allow), (ret, 0, 0, eperm)]
    # prlimit64(pid, ...): this process only (pid 0 is glibc's getrlimit/setrlimit)
    prog += [(jeq, 0, 5, arch["prlimit64"]), (ld, 0, 0, 16), (jeq, 2, 0, 0), (jeq, 1, 0, pid), (ret, 0, 0, eperm),
             (ret, 0, 0, allow)]
    for nr, offset, commands in ((arch["fcntl"], 24, FCNTL_DENY), (arch["ioctl"], 24, IOCTL_DENY)):
        # the command (second argument; its low 32 bits: the kernel reads an unsigned int)
        prog += [(jeq, 0, len(commands) + 3, nr), (ld, 0, 0, offset)]
        prog += [(jeq, len(commands) - i, 0, cmd) for i, cmd in enumerate(commands)]
        prog += [(ret, 0, 0, allow), (ret, 0, 0, eperm)]
    prog += [(ret, 0, 0, allow)]

    filters = (ctypes.c_uint64 * len(prog))(*[code | jt << 16 | jf << 24 | k << 32 for code, jt, jf, k in prog])

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(prog), ctypes.addressof(filters))
    # SECCOMP_SET_MODE_FILTER with SECCOMP_FILTER_FLAG_TSYNC (all threads)
    if libc.syscall(arch["seccomp"], 1, 1, ctypes.byref(fprog)) != 0:
        return f"seccomp unavailable: {os.strerror(ctypes.get_errno())}"
    return ("seccomp: no new processes, exec, ptrace, sockets, IPC objects, or signals, limits and scheduling"
            " of other processes; no change of file modes, owners, times, attributes or flags, no file leases,"
            " notifications or owners, no change of user")
