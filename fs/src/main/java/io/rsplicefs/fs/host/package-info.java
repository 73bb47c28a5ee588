/**
 * What the host's /proc and /sys say, for the filesystem, the CLI and the tests alike: the mount table
 * ({@link io.rsplicefs.fs.host.MountTable}), a process's state ({@link io.rsplicefs.fs.host.ProcessStat}),
 * waiting for a process that is not a child to exit ({@link io.rsplicefs.fs.host.ProcessExit}), reading a
 * /proc file whole ({@link io.rsplicefs.fs.host.ProcFile}), this machine's description
 * ({@link io.rsplicefs.fs.host.SystemInfo}), capabilities ({@link io.rsplicefs.fs.host.Capabilities}) and
 * DAMON reclaim ({@link io.rsplicefs.fs.host.Damon}).
 */
package io.rsplicefs.fs.host;
