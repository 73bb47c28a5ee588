package io.rsplicefs.it.kernellog;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Opens the gift window before each {@link GiftExperiment} test (its setup included) and closes it after. */
public final class GiftWindow implements BeforeEachCallback, AfterEachCallback {
    @Override
    public void beforeEach(ExtensionContext context) {
        KernelLogWatch w = KernelLogWatch.running();
        if (w != null) {
            w.enterWindow(context.getRequiredTestClass().getSimpleName() + "."
                    + context.getRequiredTestMethod().getName() + " " + context.getDisplayName());
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        KernelLogWatch w = KernelLogWatch.running();
        if (w != null) {
            w.leaveWindow();
        }
    }
}
