package io.rsplicefs.it.kernellog;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * Registered through META-INF/services, so every run of the suite (mvn
 * verify, an IDE) watches the kernel log from its first test on;
 * KernelLogTest, ordered last, fails the run on what was found. A run that
 * leaves KernelLogTest out still gets the summary printed here.
 */
public final class KernelLogListener implements TestExecutionListener {
    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        KernelLogWatch.start();
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        KernelLogWatch w = KernelLogWatch.running();
        if (w != null) {
            System.out.println(KernelLogTest.summary(w));
        }
        KernelLogWatch.stop();
    }
}
