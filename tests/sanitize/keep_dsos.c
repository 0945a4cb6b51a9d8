/* Compiled into every executable of a sanitizer build only (SEEDRATE_SANITIZE, CMakeLists.txt): dlclose does
 * nothing, so the shared objects that a library loads at run time stay mapped until the process exits.
 *
 * Why: Open MPI 4 loads its components (mca_*.so) with dlopen and unloads them in MPI_Finalize. At exit,
 * LeakSanitizer finds Open MPI's own still-reachable-from-nowhere allocations (not ours) with stack frames in those
 * unloaded components. It cannot name the module of such a frame, so the library-name suppressions of
 * scripts/ci-sanitize.sh match only further up the stack, and each unnamed frame makes it re-read /proc/self/maps.
 * Measured on a bad-input `seedrate campaign` under mpirun (2026-12-07): 2.8 s of system time at exit with the
 * real dlclose, 0.5 s with this one, and the same (empty) leak report. Every MPI test process pays that once.
 * Release builds use the C library's dlclose. */
int dlclose(void *handle);

int dlclose(void *handle)
{
    (void)handle;
    return 0;
}
