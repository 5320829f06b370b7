/*
 * PROTO_VFS: what linuxemu asks of vfs (docs/vfs.md). vfs owns the
 * mount table, path resolution and every open file; linuxemu owns the fd
 * tables and maps each fd to a vfs file id (a file id may be shared by
 * many fds: linuxemu counts its own references and sends VFS_CLOSE with
 * the last).
 *
 * Requests that take a path carry it as out-of-line data (no NUL; 1 ..
 * FS_PATH_MAX - 1 bytes, empty only with AT_EMPTY_PATH) and name where
 * it starts in w0: a directory file id (the dirfd's, or the caller's
 * cwd's for AT_FDCWD); w4 = the caller's root directory file id, where
 * an absolute path starts and ".." stops; w3 = the credentials,
 * VFS_CRED(fsuid, fsgid): permission checks are vfs's. Every request is
 * a send with a reply token; replies have its label and w0 = status.
 *
 *   VFS_OPEN     w1 = O_* flags (Linux aarch64 values), w2 = mode for
 *                O_CREAT (umask applied). Reply: w1 = file id, w2 = the
 *                node's st_dev, data = struct fs_attr. A FIFO's open may
 *                wait for its other end (O_NONBLOCK: never; a write-only
 *                one is -ENXIO without a reader); a FIFO's reply also
 *                has w3 = its pipe id and w4, w5 = the events a reader
 *                and a writer see now (as VFS_READY).
 *   VFS_CLOSE    w0 = file id. Reply 0.
 *   VFS_READ     w0 = file, w1 = bytes (<= IPC_BUF_MAX), w2 = offset or
 *                VFS_OFF_CURRENT. Reply: w0 = bytes, data. May wait
 *                (pipes, FIFOs, devices). A device's reads and writes
 *                (the character devices of a devtmpfs mount) go to its
 *                server at once, with the file's O_NONBLOCK and a
 *                request id (fs.h), not queued behind the offset's
 *                other requests: a terminal read that waits for a line
 *                holds up no write.
 *   VFS_WRITE    w0 = file, w2 = offset or VFS_OFF_CURRENT, data. Reply:
 *                w0 = bytes. May wait. On a pipe whose readers are gone:
 *                w1 = VFS_EPIPE with the bytes written before (or -EPIPE),
 *                so the client raises SIGPIPE as Linux does.
 *   VFS_SEEK     w0 = file, w1 = offset, w2 = whence. Reply: w0 = offset.
 *   VFS_GETDENTS w0 = file, w1 = bytes of room. Reply: w0 = bytes, data =
 *                struct linux_dirent64 records.
 *   VFS_FSTAT    w0 = file. Reply: w2 = st_dev, data = struct fs_attr.
 *   VFS_STAT     path; w1 = AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH. Reply
 *                as VFS_FSTAT.
 *   VFS_ACCESS   path; w1 = the F_OK/R_OK/W_OK/X_OK mask, w2 = AT_*
 *                flags (AT_EACCESS is linuxemu's: it picks the creds).
 *   VFS_MKNOD    path; w1 = mode (S_IFREG, S_IFIFO, S_IFCHR, ...; umask
 *                applied), w2 = rdev.
 *   VFS_MKDIR    path; w1 = mode.
 *   VFS_UNLINK   path; w1 = 0 or AT_REMOVEDIR.
 *   VFS_SYMLINK  path = where, w1 = the target's length; data = target
 *                then path.
 *   VFS_READLINK path. Reply: w0 = length, data = the target.
 *   VFS_RENAME   w0/w4 as above for the old path, w1 = the new path's
 *                start directory, w2 = RENAME_* flags, w5 = the old
 *                path's length; data = old path then new path.
 *   VFS_LINK     as VFS_RENAME (w2 = AT_SYMLINK_FOLLOW | AT_EMPTY_PATH).
 *   VFS_SETATTR  path (empty with AT_EMPTY_PATH: w0 itself), w1 = AT_*
 *                flags, w5 = the length of the path; data = path then a
 *                struct fs_setattr (FS_SET_SIZE: truncate; the times:
 *                nsec UTIME_NOW / UTIME_OMIT as utimensat). Checks as
 *                chmod, chown, truncate, utimensat.
 *   VFS_FTRUNCATE w0 = file, w1 = size (the file must be open for writing).
 *   VFS_FSYNC    w0 = file. VFS_SYNC: everything (sync(2)).
 *   VFS_STATFS   path (or AT_EMPTY_PATH: w0). Reply: data = struct
 *                fs_statfs, w1 = the fsid.
 *   VFS_GETPATH  w0 = file, w4 = root. Reply: data = its absolute path
 *                (getcwd, /proc/self/fd). -ENOENT once unlinked.
 *   VFS_MOUNT    path = the target; w1 = MS_* flags, w5 = its length;
 *                data = target, '\0', source, '\0', fstype, '\0',
 *                options. Only uid 0 (-EPERM).
 *   VFS_UMOUNT   path; w1 = MNT_* flags. -EBUSY while in use.
 *   VFS_POLL     w0 = file, w1 = POLL* events. Reply: w0 = ready events
 *                now (never waits), w1 = bytes readable (a pipe's; FIONREAD).
 *                A device's: its server's FS_POLL.
 *   VFS_MOUNTS   Reply: data = the mount table as /proc/mounts lines
 *                ("SOURCE MOUNTPOINT FSTYPE rw|ro 0 0\n"), the first
 *                mounted first; w0 = its length.
 *   VFS_IOCTL    w0 = file, w1 = Linux's request number, w2 = the argument
 *                as a value, w5 = TIOCSCTTY's session (low 32 bits) and
 *                process group (high 32), data = the argument's bytes in
 *                (the sizes are fs.h's table). Reply: w0 = result, data =
 *                the bytes to copy out. Only a device's (FS_IOCTL to its
 *                server; may wait: TCSETSW, TCSBRK); anything else
 *                -ENOTTY, as Linux. Permission and job-control checks are
 *                the client's (it knows the processes).
 *   VFS_PIPE     w1 = O_NONBLOCK (and O_DIRECT). Reply: w1 = the read
 *                end's file id, w2 = the write end's, w3 = the pipe id
 *                (also its st_ino), w4, w5 as VFS_OPEN's.
 *   VFS_SETFL    w0 = file, w1 = its new O_APPEND | O_NONBLOCK (fcntl
 *                F_SETFL: the open file's flags are vfs's).
 *   VFS_CANCEL   w0 = the tag (w6) of a request that waits (a pipe's or
 *                FIFO's read, write or open; a device's read or write,
 *                which vfs cancels with FS_IOC_CANCEL): it is answered
 *                now, -EINTR or the bytes moved before. A plain send; a tag that
 *                names nothing waiting is ignored (its answer is on the
 *                way). Clients tag every request with w6.
 *
 *   VFS_ROOT     Reply: w1 = a new file id (O_PATH) for the root
 *                directory: a client's first root and cwd.
 *   VFS_SHUTDOWN Before power-off: every filesystem is unmounted, last
 *                mounted first (written back, marked clean). Reply 0, or
 *                the first error. The last request a client sends.
 *
 * VFS_READY is a plain send (no token) from vfs to the client endpoint
 * given with VFS_HELLO whenever what a pipe's ends would poll changes:
 * w0 = the pipe id, w1 = the events a reader sees (POLLIN | POLLRDNORM
 * while it holds data, POLLHUP without writers), w2 = a writer's
 * (POLLOUT | POLLWRNORM while a slot is free, POLLERR without readers).
 * It goes out before the replies of the request that changed it, so a
 * client that caches it polls without asking (ppoll, select).
 *   VFS_HELLO    handles[0] = an endpoint (RIGHT_SEND) for VFS_READY.
 *
 * A terminal's readiness and its signals are not relayed by vfs: the
 * client registers with devtmpfs itself (FS_TTY_WATCH on the node that
 * VFS_OPEN's attributes name, fs/devtmpfs from the name service) and
 * hears FS_TTY_READY and FS_TTY_SIGNAL from it directly, since the
 * terminal is one and the signals are for processes only the client
 * knows; vfs passes no handles on.
 */
#ifndef LICHEN_PROTO_VFS_H
#define LICHEN_PROTO_VFS_H

#include <stdint.h>
#include <lichen/ipc.h>
#include <lichen/proto/fs.h>
#include <lichen/proto/protocols.h>

enum vfs_op {
	VFS_OP_HELLO = 1,
	VFS_OP_OPEN,
	VFS_OP_CLOSE,
	VFS_OP_READ,
	VFS_OP_WRITE,
	VFS_OP_SEEK,
	VFS_OP_GETDENTS,
	VFS_OP_FSTAT,
	VFS_OP_STAT,
	VFS_OP_ACCESS,
	VFS_OP_MKNOD,
	VFS_OP_MKDIR,
	VFS_OP_UNLINK,
	VFS_OP_SYMLINK,
	VFS_OP_READLINK,
	VFS_OP_RENAME,
	VFS_OP_LINK,
	VFS_OP_SETATTR,
	VFS_OP_FTRUNCATE,
	VFS_OP_FSYNC,
	VFS_OP_SYNC,
	VFS_OP_STATFS,
	VFS_OP_GETPATH,
	VFS_OP_MOUNT,
	VFS_OP_UMOUNT,
	VFS_OP_POLL,
	VFS_OP_PIPE,
	VFS_OP_READY,
	VFS_OP_ROOT,
	VFS_OP_SHUTDOWN,
	VFS_OP_SETFL,
	VFS_OP_CANCEL,
	VFS_OP_IOCTL,
	VFS_OP_MOUNTS,
};

#define VFS_LABEL(op)	IPC_LABEL(PROTO_VFS, op)
#define VFS_HELLO	VFS_LABEL(VFS_OP_HELLO)
#define VFS_OPEN	VFS_LABEL(VFS_OP_OPEN)
#define VFS_CLOSE	VFS_LABEL(VFS_OP_CLOSE)
#define VFS_READ	VFS_LABEL(VFS_OP_READ)
#define VFS_WRITE	VFS_LABEL(VFS_OP_WRITE)
#define VFS_SEEK	VFS_LABEL(VFS_OP_SEEK)
#define VFS_GETDENTS	VFS_LABEL(VFS_OP_GETDENTS)
#define VFS_FSTAT	VFS_LABEL(VFS_OP_FSTAT)
#define VFS_STAT	VFS_LABEL(VFS_OP_STAT)
#define VFS_ACCESS	VFS_LABEL(VFS_OP_ACCESS)
#define VFS_MKNOD	VFS_LABEL(VFS_OP_MKNOD)
#define VFS_MKDIR	VFS_LABEL(VFS_OP_MKDIR)
#define VFS_UNLINK	VFS_LABEL(VFS_OP_UNLINK)
#define VFS_SYMLINK	VFS_LABEL(VFS_OP_SYMLINK)
#define VFS_READLINK	VFS_LABEL(VFS_OP_READLINK)
#define VFS_RENAME	VFS_LABEL(VFS_OP_RENAME)
#define VFS_LINK	VFS_LABEL(VFS_OP_LINK)
#define VFS_SETATTR	VFS_LABEL(VFS_OP_SETATTR)
#define VFS_FTRUNCATE	VFS_LABEL(VFS_OP_FTRUNCATE)
#define VFS_FSYNC	VFS_LABEL(VFS_OP_FSYNC)
#define VFS_SYNC	VFS_LABEL(VFS_OP_SYNC)
#define VFS_STATFS	VFS_LABEL(VFS_OP_STATFS)
#define VFS_GETPATH	VFS_LABEL(VFS_OP_GETPATH)
#define VFS_MOUNT	VFS_LABEL(VFS_OP_MOUNT)
#define VFS_UMOUNT	VFS_LABEL(VFS_OP_UMOUNT)
#define VFS_POLL	VFS_LABEL(VFS_OP_POLL)
#define VFS_PIPE	VFS_LABEL(VFS_OP_PIPE)
#define VFS_READY	VFS_LABEL(VFS_OP_READY)
#define VFS_ROOT	VFS_LABEL(VFS_OP_ROOT)
#define VFS_SHUTDOWN	VFS_LABEL(VFS_OP_SHUTDOWN)
#define VFS_SETFL	VFS_LABEL(VFS_OP_SETFL)
#define VFS_CANCEL	VFS_LABEL(VFS_OP_CANCEL)
#define VFS_IOCTL	VFS_LABEL(VFS_OP_IOCTL)
#define VFS_MOUNTS	VFS_LABEL(VFS_OP_MOUNTS)

#define VFS_EPIPE	1		/* VFS_WRITE's w1: the readers are gone */
#define VFS_PIPE_DEV	0xd		/* st_dev of anonymous pipes (Linux's pipefs) */

#define VFS_CRED(uid, gid)	((uint64_t)(uint32_t)(uid) | (uint64_t)(uint32_t)(gid) << 32)
#define VFS_CRED_UID(c)		((uint32_t)(c))
#define VFS_CRED_GID(c)		((uint32_t)((c) >> 32))
#define VFS_OFF_CURRENT		UINT64_MAX	/* read/write at the file's offset */

/* Linux's values (aarch64, asm-generic) that cross this protocol. */
#define VFS_O_ACCMODE	03u
#define VFS_O_RDONLY	00u
#define VFS_O_WRONLY	01u
#define VFS_O_RDWR	02u
#define VFS_O_CREAT	0100u
#define VFS_O_EXCL	0200u
#define VFS_O_NOCTTY	0400u
#define VFS_O_TRUNC	01000u
#define VFS_O_APPEND	02000u
#define VFS_O_NONBLOCK	04000u
#define VFS_O_DIRECTORY	040000u
#define VFS_O_NOFOLLOW	0100000u
#define VFS_O_DIRECT	0200000u
#define VFS_O_CLOEXEC	02000000u
#define VFS_O_PATH	010000000u
#define VFS_O_TMPFILE	020000000u

#define VFS_AT_SYMLINK_NOFOLLOW	0x100u
#define VFS_AT_REMOVEDIR	0x200u
#define VFS_AT_SYMLINK_FOLLOW	0x400u
#define VFS_AT_EACCESS		0x200u
#define VFS_AT_EMPTY_PATH	0x1000u

#define VFS_UTIME_NOW	((1L << 30) - 1)
#define VFS_UTIME_OMIT	((1L << 30) - 2)

#endif
