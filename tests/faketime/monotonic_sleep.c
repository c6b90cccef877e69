/*
 * Preloaded before Debian's libfaketime in the faked-clock test runs (scripts/test-faked-clock).
 *
 * The runs fake the wall clock only (faketime --exclude-monotonic): Python computes the
 * deadlines of its timed waits on CLOCK_MONOTONIC, which libfaketime would otherwise shift by
 * years. libfaketime 0.9.10 still shifts the absolute CLOCK_MONOTONIC deadline that
 * Python's time.sleep() hands to clock_nanosleep(), and the kernel answers EINVAL (upstream
 * issue wolfcw/libfaketime#426, fixed after 0.9.10). A monotonic sleep is not a date: this
 * passes it to the kernel unchanged, and anything else on to libfaketime.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef int (*clock_nanosleep_fn)(clockid_t, int, const struct timespec *, struct timespec *);

int clock_nanosleep(clockid_t clock_id, int flags, const struct timespec *request,
                    struct timespec *remain) {
    static clock_nanosleep_fn next;
    if (clock_id == CLOCK_MONOTONIC) {
        /* The system call returns -1 and sets errno; clock_nanosleep returns the error. */
        return syscall(SYS_clock_nanosleep, clock_id, flags, request, remain) == 0 ? 0 : errno;
    }
    if (next == NULL) {
        next = (clock_nanosleep_fn)dlsym(RTLD_NEXT, "clock_nanosleep");
    }
    return next(clock_id, flags, request, remain);
}
