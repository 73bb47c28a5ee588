package io.rsplicefs.it.kernellog;

import java.util.Comparator;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * The suite's class order (junit-platform.properties): as discovered, except
 * that {@link RunsLast} classes go to the end. The sort is stable, so every
 * other class keeps its place.
 */
public final class RunsLastOrderer implements ClassOrderer {
    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator.comparing((ClassDescriptor d) -> d.isAnnotated(RunsLast.class)));
    }
}
