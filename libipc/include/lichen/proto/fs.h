/*
 * PROTO_FS: the one protocol every filesystem server speaks (fat32,
 * tmpfs, devtmpfs, ...) and vfs sends (docs/fs.md). vfs owns paths,
 * mounts and open files; a filesystem server owns nodes. A node is a
 * 64-bit id, stable while the server runs, which is also its inode
 * number (st_ino).
 *
 * References, as in FUSE: every reply that names a node (LOOKUP, CREATE,
 * MKDIR, SYMLINK, LINK, MOUNT) gives vfs one reference to it, and vfs
 * gives them back with FORGET. A node that is unlinked lives on, data
 * and all, until its last reference is gone.
 *
 * Every request is a send with a reply token; every reply has the
 * request's label and w0 = status (>= 0, or a negative errno). A name is
 * out-of-line data, 1..FS_NAME_MAX bytes, no NUL and no '/' (the server
 * checks; "." and ".." are vfs's business and never sent). Replies that
 * name a node carry w1 = the node and its struct fs_attr as data.
 *
 *   FS_MOUNT    data: the source and options ("SOURCE\0OPTIONS"), both
 *               may be empty; w0 = MS_* flags. A server may serve several
 *               instances (tmpfs) or one (fat32: a second mount is
 *               -EBUSY). Reply: w1 = the instance's root node, attr.
 *   FS_UMOUNT   w0 = the root node. Everything reaches the disk first;
 *               -EBUSY while other nodes of it are referenced.
 *   FS_LOOKUP   w0 = directory, data = name. -ENOENT, -ENOTDIR.
 *   FS_FORGET   w0 = node, w1 = how many references to drop. Reply 0.
 *   FS_GETATTR  w0 = node. Reply: attr.
 *   FS_SETATTR  w0 = node, data = struct fs_setattr. Reply: the new attr.
 *               Permission checks are vfs's; the server refuses what its
 *               format cannot hold (-EPERM, as Linux's filesystems do).
 *   FS_READ     w0 = node, w1 = offset, w2 = bytes (<= IPC_BUF_MAX).
 *               Reply: w0 = bytes read (0 at the end), data. A device's
 *               read may wait (the reply comes when there is data).
 *   FS_WRITE    w0 = node, w1 = offset, w2 = FS_WRITE_* flags, data.
 *               Reply: w0 = bytes written, w1 = the new size.
 *               FS_WRITE_APPEND: write at the end, whatever w1 says.
 *   FS_READDIR  w0 = directory, w1 = position (0: the start), w2 = bytes
 *               of room. Reply: data = Linux struct linux_dirent64
 *               records (d_off = the position after that entry, stable
 *               across other entries' creation and removal), w0 = bytes,
 *               0 at the end; "." and ".." come first. -EINVAL if the room
 *               is too small for the next entry.
 *   FS_CREATE   w0 = directory, w1 = mode (S_IFREG, S_IFIFO, S_IFCHR,
 *               S_IFBLK, S_IFSOCK with the permission bits, umask
 *               applied), w2 = uid, w3 = gid, w4 = rdev, data = name.
 *               Reply: the new node, attr; -EEXIST if the name is taken.
 *   FS_MKDIR    as FS_CREATE, mode = the permission bits.
 *   FS_SYMLINK  w0 = directory, w1 = the name's length, w2 = uid, w3 =
 *               gid, data = name then target (no NUL between: the length
 *               says). -EPERM where the format has no symlinks.
 *   FS_READLINK w0 = node. Reply: data = the target, w0 = its length.
 *   FS_LINK     w0 = node, w1 = directory, data = the new name. Reply:
 *               w1 = node, attr (nlink grown). -EPERM without hard links.
 *   FS_UNLINK   w0 = directory, data = name. -EISDIR for a directory.
 *   FS_RMDIR    w0 = directory, data = name. -ENOTDIR, -ENOTEMPTY.
 *   FS_RENAME   w0 = old directory, w1 = new directory, w2 = the old
 *               name's length, w3 = RENAME_* flags, data = old name then
 *               new name. Linux's rules: a file replaces a file, a
 *               directory an empty directory (-ENOTEMPTY, -EISDIR,
 *               -ENOTDIR otherwise); vfs has refused moving a directory
 *               into itself. -EINVAL for flags the server lacks.
 *   FS_TRUNCATE w0 = node, w1 = the new size. Reply: attr.
 *   FS_STATFS   w0 = any node of the instance. Reply: struct fs_statfs.
 *   FS_SYNC     w0 = a node (its data and metadata), or 0 for the whole
 *               instance/server. Reply 0 once it is on the disk.
 *   FS_POLL     w0 = node (a device), w1 = the poll events vfs waits
 *               for. Reply: w0 = the ready events (at once, not waiting).
 *   FS_IOCTL    w0 = node, w1 = request, w2 = the argument, data = the
 *               argument's bytes when it points at memory. Reply: w0 =
 *               result, data = bytes to copy back. -ENOTTY by default.
 */
#ifndef LICHEN_PROTO_FS_H
#define LICHEN_PROTO_FS_H

#include <stddef.h>
#include <stdint.h>
#include <lichen/ipc.h>
#include <lichen/proto/protocols.h>

#define FS_NAME_MAX	255u		/* bytes in a name (NAME_MAX) */
#define FS_PATH_MAX	4096u		/* bytes in a path, NUL included (PATH_MAX) */
#define FS_ROOT_NONE	0u		/* never a node */

enum fs_op {
	FS_OP_MOUNT = 1,
	FS_OP_UMOUNT,
	FS_OP_LOOKUP,
	FS_OP_FORGET,
	FS_OP_GETATTR,
	FS_OP_SETATTR,
	FS_OP_READ,
	FS_OP_WRITE,
	FS_OP_READDIR,
	FS_OP_CREATE,
	FS_OP_MKDIR,
	FS_OP_SYMLINK,
	FS_OP_READLINK,
	FS_OP_LINK,
	FS_OP_UNLINK,
	FS_OP_RMDIR,
	FS_OP_RENAME,
	FS_OP_TRUNCATE,
	FS_OP_STATFS,
	FS_OP_SYNC,
	FS_OP_POLL,
	FS_OP_IOCTL,
};

#define FS_MOUNT	IPC_LABEL(PROTO_FS, FS_OP_MOUNT)
#define FS_UMOUNT	IPC_LABEL(PROTO_FS, FS_OP_UMOUNT)
#define FS_LOOKUP	IPC_LABEL(PROTO_FS, FS_OP_LOOKUP)
#define FS_FORGET	IPC_LABEL(PROTO_FS, FS_OP_FORGET)
#define FS_GETATTR	IPC_LABEL(PROTO_FS, FS_OP_GETATTR)
#define FS_SETATTR	IPC_LABEL(PROTO_FS, FS_OP_SETATTR)
#define FS_READ		IPC_LABEL(PROTO_FS, FS_OP_READ)
#define FS_WRITE	IPC_LABEL(PROTO_FS, FS_OP_WRITE)
#define FS_READDIR	IPC_LABEL(PROTO_FS, FS_OP_READDIR)
#define FS_CREATE	IPC_LABEL(PROTO_FS, FS_OP_CREATE)
#define FS_MKDIR	IPC_LABEL(PROTO_FS, FS_OP_MKDIR)
#define FS_SYMLINK	IPC_LABEL(PROTO_FS, FS_OP_SYMLINK)
#define FS_READLINK	IPC_LABEL(PROTO_FS, FS_OP_READLINK)
#define FS_LINK		IPC_LABEL(PROTO_FS, FS_OP_LINK)
#define FS_UNLINK	IPC_LABEL(PROTO_FS, FS_OP_UNLINK)
#define FS_RMDIR	IPC_LABEL(PROTO_FS, FS_OP_RMDIR)
#define FS_RENAME	IPC_LABEL(PROTO_FS, FS_OP_RENAME)
#define FS_TRUNCATE	IPC_LABEL(PROTO_FS, FS_OP_TRUNCATE)
#define FS_STATFS	IPC_LABEL(PROTO_FS, FS_OP_STATFS)
#define FS_SYNC		IPC_LABEL(PROTO_FS, FS_OP_SYNC)
#define FS_POLL		IPC_LABEL(PROTO_FS, FS_OP_POLL)
#define FS_IOCTL	IPC_LABEL(PROTO_FS, FS_OP_IOCTL)

#define FS_WRITE_APPEND	0x1u

/*
 * Devices (devtmpfs, docs/devtmpfs.md). A device's FS_READ may wait
 * (the reply comes when there is data) and so may its FS_WRITE (when
 * the output queue is full); these words make that explicit:
 *
 *   FS_READ w3, FS_WRITE w2: FS_IO_NONBLOCK: never wait; -EAGAIN when
 *               nothing could be read or written (O_NONBLOCK).
 *   FS_READ w4, FS_WRITE w4: a request id the caller chooses (0: none),
 *               which FS_IOC_CANCEL names.
 *
 * FS_IOCTL's requests are Linux's numbers (asm-generic/ioctls.h); the
 * caller copies the argument in (data) and the reply's data out:
 *
 *   TCGETS      reply data: struct termios (36 bytes).
 *   TCSETS      data: struct termios. TCSETSW: answered once the output
 *               is sent; TCSETSF: the same, input flushed first.
 *   TCSBRK      w2 = 0: waits for the output, then a 0.25 s break; any
 *               other w2: waits for the output (tcdrain).
 *   TCXONC      w2 = TCOOFF, TCOON, TCIOFF, TCION.
 *   TCFLSH      w2 = TCIFLUSH, TCOFLUSH, TCIOFLUSH.
 *   TIOCGWINSZ  reply data: struct winsize (8 bytes).
 *   TIOCSWINSZ  data: struct winsize; SIGWINCH (FS_TTY_SIGNAL) to the
 *               foreground group when it changed.
 *   FIONREAD, TIOCOUTQ   reply data: int, bytes to read / to send.
 *   TIOCGPGRP, TIOCGSID  reply data: int (-ENOTTY without a session).
 *   TIOCSPGRP   data: int, the new foreground group (the caller has
 *               checked that it belongs to the terminal's session).
 *   TIOCSCTTY   w3 = the caller's session, w4 = its process group: the
 *               terminal's session and foreground group from now on.
 *   TIOCNOTTY   the terminal has no session or group any more.
 *   FS_IOC_CANCEL  w2 = a request id: the read or write waiting with it
 *               is answered now (-EINTR, or what a write already got
 *               out); -ENOENT if none waits. For a signal to the caller.
 *
 * A block device's (include/uapi/linux/fs.h's numbers; docs/devtmpfs.md):
 *
 *   BLKGETSIZE64  reply data: uint64_t, the size in bytes.
 *   BLKGETSIZE    reply data: unsigned long (8 bytes), 512-byte sectors.
 *   BLKSSZGET     reply data: int, the logical block size.
 *   BLKPBSZGET    reply data: unsigned int, the physical block size.
 *   BLKBSZGET     reply data: int, the soft block size (Linux's default).
 *   BLKROGET      reply data: int, 1 if the disk is read-only.
 *   BLKFLSBUF     answered once the disk's write cache is flushed.
 *
 * Terminal events (devtmpfs has no processes; linuxemu has):
 *
 *   FS_TTY_WATCH   w0 = a terminal's node, handles[0] = an endpoint
 *               (RIGHT_SEND) to hear its events, replacing an earlier
 *               one. Reply 0.
 *   FS_TTY_SIGNAL  (a plain send, no token, to that endpoint) w0 = the
 *               signal for the foreground process group: SIGINT (2),
 *               SIGQUIT (3), SIGTSTP (20) for ^C, ^\, ^Z, SIGWINCH (28);
 *               w1 = the terminal's rdev, w2 = its foreground group (0:
 *               none set).
 *   FS_TTY_READY   (a plain send) w0 = the poll events now, w1 = the
 *               terminal's rdev; sent whenever they change.
 */
#define FS_IO_NONBLOCK	0x2u
#define FS_IOC_CANCEL	0x4c430001u	/* lichen's own: 'L' 'C' 1 */
#define FS_BLKROGET	0x125eu		/* _IO(0x12, 94) */
#define FS_BLKGETSIZE	0x1260u		/* _IO(0x12, 96) */
#define FS_BLKFLSBUF	0x1261u		/* _IO(0x12, 97) */
#define FS_BLKSSZGET	0x1268u		/* _IO(0x12, 104) */
#define FS_BLKBSZGET	0x80081270u	/* _IOR(0x12, 112, size_t) */
#define FS_BLKGETSIZE64	0x80081272u	/* _IOR(0x12, 114, size_t) */
#define FS_BLKPBSZGET	0x127bu		/* _IO(0x12, 123) */
#define FS_TTY_WATCH	IPC_LABEL(PROTO_FS, 0x100)
#define FS_TTY_SIGNAL	IPC_LABEL(PROTO_FS, 0x101)
#define FS_TTY_READY	IPC_LABEL(PROTO_FS, 0x102)

/* Linux's file types and RENAME_* flags (the values are the ABI's). */
#define FS_IFMT		0170000u
#define FS_IFSOCK	0140000u
#define FS_IFLNK	0120000u
#define FS_IFREG	0100000u
#define FS_IFBLK	0060000u
#define FS_IFDIR	0040000u
#define FS_IFCHR	0020000u
#define FS_IFIFO	0010000u
#define FS_RENAME_NOREPLACE	0x1u
#define FS_RENAME_EXCHANGE	0x2u

struct fs_time {
	int64_t sec;
	int64_t nsec;
};

/* A node's attributes: what stat reports, less st_dev (vfs's). */
struct fs_attr {
	uint64_t ino;			/* the node */
	uint32_t mode;			/* type and permission bits */
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t rdev;			/* a device's number (makedev) */
	int64_t size;
	int64_t blocks;			/* 512-byte units allocated */
	uint32_t blksize;		/* the preferred I/O size */
	uint32_t pad;
	struct fs_time atime, mtime, ctime;
};

_Static_assert(sizeof(struct fs_attr) == 104, "struct fs_attr is ABI");

/* FS_SETATTR: what to change (FS_SET_* bits in valid). */
#define FS_SET_MODE	0x01u		/* the permission bits (and S_ISUID...) */
#define FS_SET_UID	0x02u
#define FS_SET_GID	0x04u
#define FS_SET_SIZE	0x08u
#define FS_SET_ATIME	0x10u
#define FS_SET_MTIME	0x20u
#define FS_SET_CTIME	0x40u		/* vfs sets it with every change, as Linux */

struct fs_setattr {
	uint32_t valid;
	uint32_t mode;
	uint32_t uid, gid;
	int64_t size;
	struct fs_time atime, mtime, ctime;
};

_Static_assert(sizeof(struct fs_setattr) == 72, "struct fs_setattr is ABI");

/* FS_STATFS: Linux's struct statfs (aarch64) less f_fsid, which vfs adds. */
struct fs_statfs {
	int64_t type;			/* f_type: the magic number */
	int64_t bsize;
	uint64_t blocks, bfree, bavail;
	uint64_t files, ffree;
	int64_t namelen;
	int64_t frsize;
	int64_t flags;			/* ST_* (vfs adds the mount's) */
};

_Static_assert(sizeof(struct fs_statfs) == 80, "struct fs_statfs is ABI");

/* FS_READDIR's records: Linux's struct linux_dirent64. */
struct fs_dirent {
	uint64_t ino;
	int64_t off;			/* the position after this entry */
	uint16_t reclen;		/* 8-byte aligned, the name's NUL included */
	uint8_t type;			/* DT_*: the mode's type >> 12 */
	char name[];
};

#define FS_DIRENT_SIZE(namelen)	((19u + (namelen) + 1u + 7u) & ~7u)

/*
 * Appends one record at buf (room bytes free), the name NUL-terminated
 * and the padding zeroed: its size, or 0 if it does not fit. Every
 * server's FS_READDIR writes with this.
 */
static inline size_t
fs_dirent_put(char *buf, size_t room, uint64_t ino, int64_t next, uint8_t type,
    const char *name, size_t len)
{
	size_t reclen = FS_DIRENT_SIZE(len);
	struct fs_dirent d;

	if (reclen > room)
		return 0;
	__builtin_memset(buf, 0, reclen);
	d.ino = ino;
	d.off = next;
	d.reclen = (uint16_t)reclen;
	d.type = type;
	__builtin_memcpy(buf, &d, 19);
	__builtin_memcpy(buf + 19, name, len);
	return reclen;
}

#endif
