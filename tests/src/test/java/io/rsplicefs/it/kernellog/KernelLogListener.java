package io.rsplicefs.it.kernellog;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
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
    public void executionStarted(TestIdentifier id) {
        KernelLogWatch w = KernelLogWatch.running();
        if (w != null && id.isTest()) {
            w.test(id.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                    .map(m -> m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1) + "."
                            + m.getMethodName() + " ").orElse("") + id.getDisplayName());
        }
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        KernelLogWatch w = KernelLogWatch.running();
        if (w != null && id.isTest()) {
            w.test(null);
        }
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
