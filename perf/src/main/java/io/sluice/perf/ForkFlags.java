package io.sluice.perf;

import java.util.List;

/**
 * JVM arguments of every JMH fork, as compile-time constants so that {@code @Fork(jvmArgsAppend = ...)} can name
 * them.
 * <p>
 * JMH starts forks with {@code java -cp}, so the {@code Add-Opens} of the jar manifest do not reach them, and
 * Agrona's {@code UnsafeBuffer} fails with {@code IllegalAccessError} without {@code jdk.internal.misc}. The four
 * opens are the parent POM's {@code sluice.jvm.opens}; {@code ForkFlagsTest} fails if the two lists drift apart.
 * A fixed heap keeps GC sizing out of the comparison between runs.
 * <p>
 * Public for {@code io.sluice.perf.e2e}, which starts Sluice brokers in child JVMs with {@code java -cp} too.
 */
public final class ForkFlags
{
    static final String OPEN_JDK_INTERNAL_MISC = "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED";
    static final String OPEN_JAVA_UTIL_ZIP = "--add-opens=java.base/java.util.zip=ALL-UNNAMED";
    static final String OPEN_JAVA_NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";
    static final String OPEN_SUN_NIO_CH = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    static final String HEAP_MIN = "-Xms1g";
    static final String HEAP_MAX = "-Xmx1g";
    /** The four opens, for any child JVM that runs Sluice's code from a class path. */
    public static final List<String> OPENS = List.of(
        OPEN_JDK_INTERNAL_MISC, OPEN_JAVA_UTIL_ZIP, OPEN_JAVA_NIO, OPEN_SUN_NIO_CH);

    private ForkFlags()
    {
    }
}
