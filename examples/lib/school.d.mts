/** Per-thread attributes, like Python's `threading.local()`. */
export declare const localSchool: { student?: string };
/** Reads the current thread's student and names the thread it runs in. */
export declare function processStudent(): string;
