package io.sluice.perf;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Fork;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForkFlagsTest
{
    private static final Pattern FLAG = Pattern.compile("--add-(opens|exports)[ =]([^ =]+/[^ =]+)=ALL-UNNAMED");

    @Test
    void shouldOpenWhatTheParentPomOpensWhenForkingJmh()
    {
        final Set<String> pom = packages(System.getProperty("sluice.jvm.opens"), "opens");
        final Set<String> forks = packages(String.join(" ", ForkFlags.OPEN_JDK_INTERNAL_MISC,
            ForkFlags.OPEN_JAVA_UTIL_ZIP, ForkFlags.OPEN_JAVA_NIO, ForkFlags.OPEN_SUN_NIO_CH), "opens");
        assertEquals(pom, forks);
    }

    @Test
    void shouldPassEveryOpenToEveryBenchmarkForkWhenAnnotated()
    {
        final List<String> required = List.of(ForkFlags.OPEN_JDK_INTERNAL_MISC, ForkFlags.OPEN_JAVA_UTIL_ZIP,
            ForkFlags.OPEN_JAVA_NIO, ForkFlags.OPEN_SUN_NIO_CH);
        for (final Class<?> benchmark : List.of(AppendBenchmark.class, ReadBenchmark.class, CodecBenchmark.class))
        {
            final Fork fork = benchmark.getAnnotation(Fork.class);
            assertNotNull(fork, benchmark.getSimpleName());
            assertTrue(Arrays.asList(fork.jvmArgsAppend()).containsAll(required), benchmark.getSimpleName());
        }
    }

    @Test
    void shouldCarrySluiceAndChronicleFlagsInTheManifestWhenPackaged()
    {
        final Set<String> opens = new TreeSet<>(packages(System.getProperty("sluice.jvm.opens"), "opens"));
        opens.addAll(packages(System.getProperty("chronicle.jvm.flags"), "opens"));
        final Set<String> exports = packages(System.getProperty("chronicle.jvm.flags"), "exports");

        assertEquals(opens, new TreeSet<>(List.of(System.getProperty("perf.manifest.add-opens").split(" "))));
        assertEquals(exports, new TreeSet<>(List.of(System.getProperty("perf.manifest.add-exports").split(" "))));
    }

    private static Set<String> packages(final String flags, final String kind)
    {
        assertNotNull(flags, "system property missing: run through Maven");
        final Set<String> packages = new TreeSet<>();
        final Matcher matcher = FLAG.matcher(flags);
        while (matcher.find())
        {
            if (matcher.group(1).equals(kind))
            {
                packages.add(matcher.group(2));
            }
        }
        assertTrue(!packages.isEmpty() || "exports".equals(kind), flags);
        return packages;
    }
}
