/*
 * hil_ptyshim: a test-only LD_PRELOAD library that lets libserialport 0.1.1 open a Linux pseudo-terminal
 * slave (/dev/pts/N), so that the test suite drives SerialTransport through the real libserialport code
 * against a real PTY whose master side the test plays. Never link it into anything and never ship it.
 *
 * What libserialport 0.1.1 checks, measured with strace and LIBSERIALPORT_DEBUG=1 against a PTY (and its
 * binary's ioctl request constants), and what this library answers:
 *
 * 1. sp_get_port_by_name() -> get_port_details(): the name must start with "/dev/"; then it calls
 *    lstat("/sys/class/tty/<name without /dev/>") (through the old glibc ABI entry __lxstat) and
 *    readlink() on that path (or on ".../device" when it is not a symlink), and classifies the port as
 *    USB or Bluetooth by searching the link target for "usb"/"bluetooth". A PTY slave has no
 *    /sys/class/tty entry, so lstat fails with ENOENT and the call returns SP_ERR_ARG "Device not found".
 *    Answer: for exactly "/sys/class/tty/pts/<digits>", and only if /dev/pts/<digits> is a PTY slave
 *    (character device, Unix98 slave major 136-143), __lxstat/lstat report a symlink and readlink returns
 *    "../../devices/virtual/tty/pts/<digits>", so the port is a "native" port described as "pts/<N>".
 *    lstat is intercepted as well as __lxstat so a libserialport built against glibc >= 2.33 (which
 *    calls lstat directly; newer libserialport skips lstat and only calls readlink) is covered too.
 *
 * 2. sp_open() -> get_config(): tcgetattr() works on a PTY, but ioctl(TIOCMGET) (modem lines) fails with
 *    ENOTTY and sp_open() fails with "TIOCMGET ioctl failed". Answer: on a PTY slave fd, when the real
 *    ioctl fails with ENOTTY, report DTR|RTS|CTS|DSR|CD asserted, as a device on a null-modem cable would.
 *    The answer is stateless: libserialport only reads it to fill sp_get_config()/sp_get_signals().
 *
 * 3. sp_open() and sp_set_config() -> set_config(): tcsetattr() works on a PTY, but setting RTS and DTR
 *    through ioctl(TIOCMBIS) / ioctl(TIOCMBIC) fails with ENOTTY. Answer: success, on a PTY slave fd only,
 *    when the real ioctl failed with ENOTTY. (A PTY has no modem lines, so there is nothing to set.)
 *
 * Not intercepted, because libserialport 0.1.1 does not need it for a PTY:
 * - TIOCMSET: libserialport never issues it (it uses TIOCMBIS/TIOCMBIC).
 * - TIOCGSERIAL: only sp_list_ports() issues it, on serial8250 ports (/dev/ttyS*) to skip absent ones;
 *   a PTY never appears in enumeration because /sys/class/tty has no entry for it.
 * - TCGETS2/TCSETS2 (non-standard baud rates), TIOCINQ/TIOCOUTQ, TIOCSBRK/TIOCCBRK: they work on a PTY.
 *
 * Non-PTY file descriptors and paths are never changed: every call first goes to the real function
 * (found with dlsym(RTLD_NEXT)), and only an ENOTTY failure of TIOCMGET/TIOCMBIS/TIOCMBIC on a PTY slave,
 * or an lstat/readlink of /sys/class/tty/pts/<N> for an existing PTY slave, is answered here.
 *
 * Test hooks (looked up by the tests with dlsym(RTLD_DEFAULT)): hil_ptyshim_emulated_calls() counts the
 * answers given here, so a test can tell that the shim is loaded and was exercised;
 * hil_ptyshim_set_enabled(0) makes the shim forward everything, so a test can show that libserialport
 * alone cannot open a PTY. Both are safe to call from any thread.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define SHIM_EXPORT __attribute__((visibility("default")))

/* glibc >= 2.33 no longer declares the old stat ABI entry points that libserialport 0.1.1 links against. */
int __lxstat(int ver, const char *path, struct stat *st);

SHIM_EXPORT void hil_ptyshim_set_enabled(int enabled);
SHIM_EXPORT long hil_ptyshim_emulated_calls(void);

static atomic_int shimEnabled = 1;
static atomic_long emulatedCalls = 0;

static int (*realIoctl)(int, unsigned long, ...);
static int (*realLxstat)(int, const char *, struct stat *);
static int (*realLstat)(const char *, struct stat *);
static ssize_t (*realReadlink)(const char *, char *, size_t);

/* Resolved on first use, not in a constructor: another library's constructor may call ioctl() or
 * readlink() before this library's constructor has run. */
static pthread_once_t resolveOnce = PTHREAD_ONCE_INIT;

static void resolveRealFunctions(void) {
    realIoctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
    realLxstat = (int (*)(int, const char *, struct stat *))dlsym(RTLD_NEXT, "__lxstat");
    realLstat = (int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "lstat");
    realReadlink = (ssize_t(*)(const char *, char *, size_t))dlsym(RTLD_NEXT, "readlink");
}

static void resolve(void) {
    pthread_once(&resolveOnce, resolveRealFunctions);
}

void hil_ptyshim_set_enabled(int enabled) {
    atomic_store(&shimEnabled, enabled ? 1 : 0);
}

long hil_ptyshim_emulated_calls(void) {
    return atomic_load(&emulatedCalls);
}

static int isPtySlaveDevice(const struct stat *st) {
    /* Unix98 PTY slaves: UNIX98_PTY_SLAVE_MAJOR (136) and the following 7 majors. */
    return S_ISCHR(st->st_mode) && major(st->st_rdev) >= 136 && major(st->st_rdev) <= 143;
}

static int fdIsPtySlave(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 && isPtySlaveDevice(&st);
}

/* If path is "/sys/class/tty/pts/<digits>" and /dev/pts/<digits> is a PTY slave, writes the symlink target
 * to pretend into target and returns 1. */
static int fakeSysfsTarget(const char *path, char *target, size_t size) {
    static const char prefix[] = "/sys/class/tty/pts/";
    if (!path || !atomic_load(&shimEnabled) || strncmp(path, prefix, sizeof prefix - 1) != 0)
        return 0;
    const char *number = path + sizeof prefix - 1;
    if (*number == '\0' || strspn(number, "0123456789") != strlen(number))
        return 0;
    char device[64];
    if (snprintf(device, sizeof device, "/dev/pts/%s", number) >= (int)sizeof device)
        return 0;
    struct stat st;
    if (stat(device, &st) != 0 || !isPtySlaveDevice(&st))
        return 0;
    return snprintf(target, size, "../../devices/virtual/tty/pts/%s", number) < (int)size;
}

static void fillFakeLinkStat(struct stat *st, const char *target) {
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFLNK | 0777;
    st->st_nlink = 1;
    st->st_size = (off_t)strlen(target);
}

int __lxstat(int ver, const char *path, struct stat *st) {
    resolve();
    char target[128];
    if (fakeSysfsTarget(path, target, sizeof target)) {
        fillFakeLinkStat(st, target);
        atomic_fetch_add(&emulatedCalls, 1);
        return 0;
    }
    if (realLxstat)
        return realLxstat(ver, path, st);
    return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

int lstat(const char *path, struct stat *st) {
    resolve();
    char target[128];
    if (fakeSysfsTarget(path, target, sizeof target)) {
        fillFakeLinkStat(st, target);
        atomic_fetch_add(&emulatedCalls, 1);
        return 0;
    }
    if (realLstat)
        return realLstat(path, st);
    return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

ssize_t readlink(const char *path, char *buf, size_t size) {
    resolve();
    char target[128];
    if (fakeSysfsTarget(path, target, sizeof target)) {
        /* readlink(2) semantics: no terminating NUL, silently truncated to the buffer. */
        size_t length = strlen(target);
        if (length > size)
            length = size;
        memcpy(buf, target, length);
        atomic_fetch_add(&emulatedCalls, 1);
        return (ssize_t)length;
    }
    return realReadlink(path, buf, size);
}

int ioctl(int fd, unsigned long request, ...) {
    resolve();
    /* Like glibc, forward the single optional argument as a pointer-sized value. */
    va_list args;
    va_start(args, request);
    void *argument = va_arg(args, void *);
    va_end(args);

    const int savedErrno = errno;
    const int result = realIoctl(fd, request, argument);
    if (result != -1 || errno != ENOTTY || !atomic_load(&shimEnabled))
        return result;
    if (request != TIOCMGET && request != TIOCMBIS && request != TIOCMBIC)
        return result;
    if (!fdIsPtySlave(fd)) {
        errno = ENOTTY;
        return result;
    }
    if (request == TIOCMGET) {
        if (!argument) {
            errno = EFAULT;
            return -1;
        }
        *(int *)argument = TIOCM_DTR | TIOCM_RTS | TIOCM_CTS | TIOCM_DSR | TIOCM_CAR;
    }
    /* sp_last_error_message() is strerror(errno): a success must not leave ENOTTY behind. */
    errno = savedErrno;
    atomic_fetch_add(&emulatedCalls, 1);
    return 0;
}
