package io.rsplicefs.cli.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where and how a run was made: the report's header and the JSON's "run" object. */
record RunInfo(String startedUtc, long elapsedSeconds, String kernel, String arch, int cpus, String cpuModel,
               long memTotalBytes, String loadStart, String loadEnd, String fioVersion, String rsplicefsVersion,
               String javaVersion, String dataDir, String dataFsType, long size, int rounds, int randRuntime,
               int nativeLoops, boolean warmup, String commandLine, String pipeMaxSize, boolean capSysResource,
               List<String> engines) {

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("startedUtc", startedUtc);
        m.put("elapsedSeconds", elapsedSeconds);
        m.put("kernel", kernel);
        m.put("arch", arch);
        m.put("cpus", cpus);
        m.put("cpuModel", cpuModel);
        m.put("memTotalBytes", memTotalBytes);
        m.put("loadAverageAtStart", loadStart);
        m.put("loadAverageAtEnd", loadEnd);
        m.put("fio", fioVersion);
        m.put("rsplicefs", rsplicefsVersion);
        m.put("java", javaVersion);
        m.put("dataDir", dataDir);
        m.put("dataFsType", dataFsType);
        m.put("fileBytes", size);
        m.put("rounds", rounds);
        m.put("randRuntimeSeconds", randRuntime);
        m.put("nativeLoops", nativeLoops);
        m.put("warmup", warmup);
        m.put("command", commandLine);
        m.put("pipeMaxSize", pipeMaxSize);
        m.put("capSysResource", capSysResource);
        m.put("engines", engines);
        return m;
    }
}
