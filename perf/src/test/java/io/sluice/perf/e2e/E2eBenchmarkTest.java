package io.sluice.perf.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class E2eBenchmarkTest
{
    @TempDir
    File parent;

    @Test
    void shouldReportEveryPhaseWithRatiosWhenRunOnTwoTargets() throws Exception
    {
        final ManualClock clock = new ManualClock();
        final FakeTarget first = new FakeTarget("fast", clock);
        final FakeTarget second = new FakeTarget("slow", clock);
        first.sendCostNs = 1_000;
        second.sendCostNs = 2_000;
        second.stallSequence = 1_500;
        second.stallNs = 50_000_000;
        final Map<String, Supplier<E2eTarget>> registry = new LinkedHashMap<>();
        registry.put("fast", () -> first);
        registry.put("slow", () -> second);
        final E2eBenchmark.Options options = E2eBenchmark.Options.parse(new String[]{
            "--targets", "fast,slow", "--rates", "1000,2000", "--duration-s", "1", "--warmup-s", "1",
            "--dir", parent.getPath() }, registry.keySet());
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        final int exitCode = new E2eBenchmark(options, registry, clock, 1_000_000_000L,
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
            .run();

        final String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exitCode, report);
        assertTrue(report.contains("produce-to-ack latency at 1,000 msgs/s"), report);
        assertTrue(report.contains("produce-to-ack latency at 2,000 msgs/s"), report);
        assertTrue(report.contains("produce-to-consume latency at 2,000 msgs/s"), report);
        assertTrue(report.contains("max throughput"), report);
        assertTrue(report.contains("slow/fast (<1 better)"), report);
        assertTrue(report.contains("summary: fast ack p99"), report);
        assertTrue(report.contains("summary: slow ack p99"), report);
        assertTrue(report.contains("fast: in memory"), report);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("e2e: slow: max throughput"));
        assertTrue(first.started && first.closed && second.started && second.closed);
        assertEquals(0, first.producersOpen.get() + first.consumersOpen.get() + second.producersOpen.get() +
            second.consumersOpen.get());
    }

    @Test
    void shouldParseEveryOptionWhenGiven()
    {
        final E2eBenchmark.Options options = E2eBenchmark.Options.parse(new String[]{
            "--targets", "kafka", "--rates", "1000,20_000", "--size", "16", "--duration-s", "3", "--warmup-s", "0",
            "--partitions", "4", "--throughput-records", "1000000", "--dir", "some/where" });
        assertEquals(List.of("kafka"), options.targets);
        assertArrayEquals(new long[]{ 1_000, 20_000 }, options.rates);
        assertEquals(16, options.size);
        assertEquals(3, options.durationS);
        assertEquals(0, options.warmupS);
        assertEquals(4, options.partitions);
        assertEquals(1_000_000, options.throughputRecords);
        assertEquals("where", options.directory.getName());
    }

    @Test
    void shouldDefaultToSluiceOverUdpAndIpcThenKafkaAtTwoRatesWhenNoOptions()
    {
        final E2eBenchmark.Options options = E2eBenchmark.Options.parse(new String[0]);
        assertEquals(List.of("sluice-udp", "sluice-ipc", "kafka"), options.targets);
        assertArrayEquals(new long[]{ 10_000, 100_000 }, options.rates);
        assertEquals(100, options.size);
        assertEquals(10, options.durationS);
        assertEquals(5, options.warmupS);
        assertEquals(1, options.partitions);
        assertEquals(0, options.throughputRecords);
    }

    @Test
    void shouldRefuseOptionsWhenBad()
    {
        final Set<String> known = Set.of("kafka", "sluice-udp");
        assertRefused(known, "unknown target 'sluice-ipc'", "--targets", "kafka,sluice-ipc");
        assertRefused(known, "given twice", "--targets", "kafka,kafka");
        assertRefused(known, "unknown target ''", "--targets", "kafka,");
        assertRefused(known, "--rates must be from 1", "--rates", "1000,0");
        assertRefused(known, "--rates expects a whole number", "--rates", "fast");
        assertRefused(known, "--size must be from 16", "--size", "8");
        assertRefused(known, "--duration-s must be from 1", "--duration-s", "0");
        assertRefused(known, "--partitions must be from 1", "--partitions", "0");
        assertRefused(known, "missing value for --warmup-s", "--warmup-s");
        assertRefused(known, "unknown option --acks", "--acks", "all");
    }

    private static void assertRefused(final Set<String> known, final String message, final String... args)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> E2eBenchmark.Options.parse(args, known));
        assertTrue(ex.getMessage().contains(message), ex.getMessage());
    }
}
