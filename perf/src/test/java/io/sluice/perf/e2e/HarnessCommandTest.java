package io.sluice.perf.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HarnessCommandTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final byte[] PNG_MAGIC = { (byte)0x89, 'P', 'N', 'G' };

    @TempDir
    File results;

    private final ManualClock clock = new ManualClock();
    private final List<FakeTarget> created = new ArrayList<>();
    private final Map<String, Supplier<E2eTarget>> registry = new LinkedHashMap<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private long stallNs;
    private long sendCostNs;

    HarnessCommandTest()
    {
        for (final String name : List.of("fake-a", "fake-b"))
        {
            registry.put(name, () ->
            {
                final FakeTarget target = new FakeTarget(name, clock);
                if ("fake-b".equals(name))
                {
                    // 1,000 msgs/s, 1 s of warm-up: record 1,500 is half-way through the measurement.
                    target.stallSequence = 1_500;
                    target.stallNs = stallNs;
                }
                target.sendCostNs = sendCostNs;
                created.add(target);
                return target;
            });
        }
    }

    @Test
    void shouldWriteTableSummaryHistogramsChartAndPageWhenComparingTwoTargets() throws Exception
    {
        stallNs = 100 * MS;

        // Timed to the acknowledgement: the fake acknowledges on the sender's thread, so latencies on the manual
        // clock are exact (a consumer thread would read a clock the sender keeps moving).
        final int exitCode = run("compare", "--targets", "fake-a,fake-b", "--measure", "ack", "--rate", "1000",
            "--warmup", "1s",
            "--duration", "2s", "--results", results.getPath(), "--name", "run-1", "--progress", "0");

        assertEquals(0, exitCode, this::output);
        final File run = new File(results, "run-1");
        final String report = Files.readString(new File(run, RunResults.REPORT).toPath());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(report), "the report is what the terminal showed");
        assertTrue(report.contains("fake-b/fake-a (<1 better)"), report);

        final JsonNode summary = new ObjectMapper().readTree(new File(run, RunResults.SUMMARY));
        assertEquals("run-1", summary.get("run").asText());
        assertEquals("latency", summary.get("mode").asText());
        assertEquals("produce-to-ack", summary.at("/workload/measure").asText());
        assertEquals(1_000, summary.at("/workload/rate").asLong());
        final JsonNode a = summary.at("/targets/0");
        final JsonNode b = summary.at("/targets/1");
        assertEquals("fake-a", a.get("name").asText());
        assertEquals("fake-b", b.get("name").asText());
        assertEquals(2_000, b.get("count").asLong());
        assertEquals(0, b.get("missing").asLong());
        // Coordinated omission corrected: the 100 ms stall delays 100 of 2,000 records by 1..100 ms, so it is in
        // the p99 (the 20 slowest waited 81..100 ms), not one slow record hidden above p99.9.
        final double p99Micros = b.at("/latencyMicros/p99").asDouble();
        assertTrue(p99Micros >= 80_000, () -> "fake-b p99 " + p99Micros);
        assertEquals(0.0, a.at("/latencyMicros/p99").asDouble());
        assertTrue(b.at("/ratioToFirst/p99").asDouble() > 1.0);
        assertFalse(a.has("ratioToFirst"));

        // The .hgrm parses back to the same distribution: the summary's p99 lies between the rows around 99%, and
        // the last row counts every record.
        final List<double[]> rows = hgrmRows(new File(run, "fake-b.hgrm"));
        final double[] below = rows.stream().filter(row -> row[1] < 0.99).reduce((x, y) -> y).orElseThrow();
        final double[] above = rows.stream().filter(row -> row[1] >= 0.99).findFirst().orElseThrow();
        assertTrue(below[0] <= p99Micros && p99Micros <= above[0],
            () -> below[0] + " <= " + p99Micros + " <= " + above[0]);
        assertEquals(2_000, (long)rows.get(rows.size() - 1)[2]);
        assertEquals(1.0, rows.get(rows.size() - 1)[1]);

        // The .hlog's intervals add up to the same distribution, in nanoseconds.
        final HistogramLogReader reader = new HistogramLogReader(new File(run, "fake-b.hlog"));
        final Histogram histogram = IntervalSampler.newHistogram();
        int intervals = 0;
        for (Histogram interval; null != (interval = (Histogram)reader.nextIntervalHistogram()); intervals++)
        {
            histogram.add(interval);
        }
        assertTrue(intervals >= 1);
        assertEquals(2_000, histogram.getTotalCount());
        assertEquals(p99Micros, histogram.getValueAtPercentile(99) / 1e3, 0.001);

        final byte[] png = Files.readAllBytes(new File(run, RunResults.CHART_PNG).toPath());
        assertArrayEquals(PNG_MAGIC, java.util.Arrays.copyOf(png, PNG_MAGIC.length));
        final String page = Files.readString(new File(run, RunResults.PAGE).toPath());
        assertTrue(page.contains("<img src=\"chart.png\""), page);
        assertTrue(page.contains("<a href=\"fake-b.hgrm\">"), page);

        assertEquals(2, created.size());
        for (final FakeTarget target : created)
        {
            assertTrue(target.closed, target.name + " closed");
            assertEquals(0, target.producersOpen.get() + target.consumersOpen.get());
        }
    }

    @Test
    void shouldCountAcknowledgementsOfEveryProducerWhenMeasuringThroughput() throws Exception
    {
        sendCostNs = 1_000;

        final int exitCode = run("throughput", "--target", "fake-a", "--producers", "2", "--warmup", "1ms",
            "--duration", "10ms", "--results", results.getPath(), "--name", "tp", "--progress", "0");

        assertEquals(0, exitCode, this::output);
        final File run = new File(results, "tp");
        final JsonNode summary = new ObjectMapper().readTree(new File(run, RunResults.SUMMARY));
        assertEquals("throughput", summary.get("mode").asText());
        assertEquals(2, summary.at("/workload/producers").asInt());
        assertTrue(summary.at("/targets/0/records").asLong() > 0, summary::toString);
        assertTrue(summary.at("/targets/0/recordsPerSecond").asDouble() > 0, summary::toString);
        assertTrue(new File(run, RunResults.CHART_PNG).isFile());
        assertFalse(new File(run, "fake-a.hgrm").exists(), "no latency histogram in a throughput run");
        final FakeTarget target = created.get(0);
        assertEquals(2, target.producersCreated.get());
        assertEquals(0, target.producersOpen.get());
    }

    @Test
    void shouldMeasureAcknowledgementsWithSeveralProducersWhenAsked() throws Exception
    {
        final int exitCode = run("latency", "--target", "fake-a", "--measure", "ack", "--acks", "all",
            "--producers", "2", "--rate", "2000", "--warmup", "0s", "--duration", "1s", "--results",
            results.getPath(), "--name", "acks", "--progress", "0");

        assertEquals(0, exitCode, this::output);
        final JsonNode summary = new ObjectMapper().readTree(new File(new File(results, "acks"), RunResults.SUMMARY));
        assertEquals("produce-to-ack", summary.at("/workload/measure").asText());
        assertEquals("all", summary.at("/workload/acks").asText());
        assertEquals(2_000, summary.at("/targets/0/count").asLong());
        assertEquals(2, created.get(0).producersCreated.get());
    }

    @Test
    void shouldRefuseToOverwriteAnEarlierRunWhenTheNameIsTaken() throws Exception
    {
        final String[] args = { "latency", "--target", "fake-a", "--rate", "1000", "--warmup", "0s", "--duration",
            "1s", "--results", results.getPath(), "--name", "same", "--progress", "0" };
        assertEquals(0, run(args), this::output);
        final File summary = new File(new File(results, "same"), RunResults.SUMMARY);
        final String before = Files.readString(summary.toPath());

        assertEquals(2, run(args));

        assertTrue(err.toString(StandardCharsets.UTF_8).contains("already exists"), this::output);
        assertEquals(before, Files.readString(summary.toPath()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "latency --target nope",
        "latency",
        "latency --target fake-a --duration 0s",
        "latency --target fake-a --duration soon",
        "latency --target fake-a --warmup 2h",
        "latency --target fake-a --rate 0",
        "latency --target fake-a --rate many",
        "latency --target fake-a --size 8",
        "latency --target fake-a --acks 2",
        "latency --target fake-a --measure ack --acks 0",
        "latency --target fake-a --measure both",
        "latency --target fake-a --producers 0",
        "latency --target fake-a --producers 3 --rate 2",
        "latency --target fake-a --partitions 0",
        "latency --target fake-a --name ../up",
        "latency --target fake-a --progress 1ms",
        "latency --target fake-a --bogus",
        "compare --targets fake-a,fake-a",
        "compare --targets fake-a,nope",
        "compare --targets fake-a --mode speed",
        "throughput --target fake-a --rate -5",
        "nothing"
    })
    void shouldExitWithUsageAndNameTheProblemWhenArgumentsAreBad(final String line)
    {
        final String[] args = (line + " --results " + results.getPath()).split(" ");

        assertEquals(2, run(args), this::output);

        assertFalse(err.toString(StandardCharsets.UTF_8).isBlank());
        assertTrue(created.isEmpty(), "no target started");
        assertEquals(0, results.list().length, "no results directory");
    }

    @Test
    void shouldDescribeWarmUpMeasurementAndDrainWhenPrintingProgress()
    {
        assertEquals("progress: x latency  3 s of 40 (warming up)  sent 30,000  done 29,990",
            ProgressPrinter.line("x latency", 3_500 * MS, 10_000 * MS, 40_000 * MS, 30_000, 29_990));
        assertTrue(ProgressPrinter.line("x", 15_000 * MS, 10_000 * MS, 40_000 * MS, 0, 0).contains("(measuring)"));
        assertTrue(ProgressPrinter.line("x", 41_000 * MS, 10_000 * MS, 40_000 * MS, 0, 0).contains("(draining)"));
    }

    @Test
    void shouldLabelEveryTickOfTheChartAsADistinctPercentile()
    {
        assertEquals("0%", ResultCharts.percentileLabel(0.0));
        assertEquals("90%", ResultCharts.percentileLabel(1.0));
        assertEquals("99.99%", ResultCharts.percentileLabel(4.0));
        assertEquals("99.99999%", ResultCharts.percentileLabel(7.0));
        assertEquals("99.68377%", ResultCharts.percentileLabel(2.5));
        // XChart keeps looking for a tick spacing until every label is unique: no two ticks may share one.
        final java.util.Set<String> labels = new java.util.HashSet<>();
        for (int i = 0; i <= 800; i++)
        {
            final String label = ResultCharts.percentileLabel(i / 100.0);
            assertTrue(labels.add(label), () -> "twice: " + label);
        }
    }

    @Test
    void shouldDrawTheChartWhenTheDistributionReachesFarIntoTheTail() throws Exception
    {
        // 2,000,000 records: the last percentile plotted is beyond 99.9999%, where labels once collided and XChart
        // searched for a tick spacing forever.
        final Histogram histogram = new Histogram(E2ePhases.HIGHEST_TRACKABLE_NS, E2ePhases.SIGNIFICANT_DIGITS);
        for (long i = 1; i <= 2_000_000; i++)
        {
            histogram.recordValue(10_000 + i % 5_000 + (0 == i % 100_000 ? 50 * MS : 0));
        }
        final E2ePhases.LatencyResult result = new E2ePhases.LatencyResult(
            "tail", E2ePhases.LatencyKind.PRODUCE_TO_CONSUME, 100_000, histogram, 2_000_000, 100_000.0, 0, null);
        final File run = new File(results, "tail");
        assertTrue(run.mkdirs());
        final HarnessRun.Settings settings = new HarnessRun.Settings("latency --target tail", HarnessRun.Mode.LATENCY,
            E2ePhases.LatencyKind.PRODUCE_TO_CONSUME, List.of("tail"), 100_000, 100, 0, MS, 1, 1, 1, run, results, 0);

        final boolean drawn = new RunResults(settings, java.time.Instant.now(), List.of("a target"), List.of(result),
            List.of()).plotQuietly(new PrintStream(err, true, StandardCharsets.UTF_8));

        assertTrue(drawn, this::output);
        assertTrue(new File(run, RunResults.CHART_PNG).length() > 0);
    }

    private int run(final String... args)
    {
        return HarnessCommand.execute(args, registry, clock, TimeUnit.SECONDS.toNanos(5),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String output()
    {
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    /**
     * The rows of a .hgrm: value, percentile (0..1), total count.
     */
    private static List<double[]> hgrmRows(final File hgrm) throws Exception
    {
        final List<double[]> rows = new ArrayList<>();
        for (final String line : Files.readAllLines(hgrm.toPath()))
        {
            final String[] columns = line.trim().split("\\s+");
            if (columns.length >= 3 && columns[0].matches("[0-9.]+") && columns[1].matches("[0-9.]+"))
            {
                rows.add(new double[]{ Double.parseDouble(columns[0]), Double.parseDouble(columns[1]),
                    Double.parseDouble(columns[2]) });
            }
        }
        assertFalse(rows.isEmpty(), "rows in " + hgrm);
        return rows;
    }
}
