//! SIGPIPE in the processes that load this library.
//!
//! A write to a socket whose peer has closed raises SIGPIPE, and its default action ends the
//! process. The HTTP and TLS stack writes with `writev`, which, unlike `send(MSG_NOSIGNAL)`,
//! cannot opt out per call. Python, Node, the JVM and Rust programs ignore SIGPIPE from the
//! start; a Swift program on Linux does not, and a TLS server that closed a connection early
//! killed the Swift test process. So when this library is loaded it ignores SIGPIPE, but only
//! if the process left it at its default: a handler or a choice the application made stays.
//! (Apple platforms run the same constructor; they are not built here.)

#[cfg(unix)]
extern "C" fn ignore_sigpipe_if_default() {
    // SAFETY: sigaction with a null new action only reads the current disposition into
    // `current`; installing SIG_IGN runs no code in signal context.
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut current) == 0
            && current.sa_sigaction == libc::SIG_DFL
        {
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        }
    }
}

// Run at load time (dlopen by JNA, the dynamic linker for Swift): the ELF / Mach-O constructor
// sections, which is what the `ctor` crate does.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[used]
#[link_section = ".init_array"]
static IGNORE_SIGPIPE: extern "C" fn() = ignore_sigpipe_if_default;

#[cfg(target_vendor = "apple")]
#[used]
#[link_section = "__DATA,__mod_init_func"]
static IGNORE_SIGPIPE: extern "C" fn() = ignore_sigpipe_if_default;

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::ignore_sigpipe_if_default;

    fn disposition() -> libc::sighandler_t {
        // SAFETY: reads the disposition only.
        unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            assert_eq!(
                libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut current),
                0
            );
            current.sa_sigaction
        }
    }

    extern "C" fn app_handler(_: libc::c_int) {}

    #[test]
    fn the_default_becomes_ignore_and_an_apps_handler_stays() {
        // SAFETY: installs the default, then a no-op handler, for SIGPIPE only.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
        ignore_sigpipe_if_default();
        assert_eq!(disposition(), libc::SIG_IGN);
        let handler = app_handler as extern "C" fn(libc::c_int) as libc::sighandler_t;
        unsafe { libc::signal(libc::SIGPIPE, handler) };
        ignore_sigpipe_if_default();
        assert_eq!(disposition(), handler);
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    }
}
