package io.sluice.perf.e2e;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SluiceTargetTest
{
    @TempDir
    File parent;

    @ParameterizedTest
    @ValueSource(strings = { "sluice-udp", "sluice-ipc" })
    void shouldMeasureEveryPhaseWithoutLosingRecordsWhenRunAgainstSluice(final String target) throws Exception
    {
        final E2eBenchmark.Options options = E2eBenchmark.Options.parse(new String[]{
            "--targets", target, "--rates", "2000", "--duration-s", "1", "--warmup-s", "1", "--partitions", "2",
            "--throughput-records", "200000", "--dir", parent.getPath() });
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        final int exitCode = new E2eBenchmark(options, new PrintStream(out, true, StandardCharsets.UTF_8), System.err)
            .run();

        final String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exitCode, "exit 1 means records went missing:\n" + report);
        assertTrue(report.contains("produce-to-ack latency at 2,000 msgs/s"), report);
        assertTrue(report.contains("produce-to-consume latency at 2,000 msgs/s"), report);
        assertTrue(report.contains("summary: " + target + " ack p99"), report);
        assertEquals(0, parent.list().length, "left behind: " + String.join(", ", parent.list()));
    }
}
