package io.rsplicefs.it.kernellog;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that runs the gift read path with splice_move on purpose
 * (ReadCorrectnessTest's gift cases, doctor's gift check): the kernel logs a
 * page dump for every gifted page it refuses, and KernelLogTest accepts
 * those dumps, and only those, while such a test runs. Tagged "gift", so
 * {@code -Dgroups='!gift'} leaves the experiments out.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Tag("gift")
@ExtendWith(GiftWindow.class)
public @interface GiftExperiment {
}
