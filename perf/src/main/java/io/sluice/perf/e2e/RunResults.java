package io.sluice.perf.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The files of a run, all in its results directory:
 * <ul>
 *   <li>{@value #REPORT}: the table printed on the terminal, with the run's header;</li>
 *   <li>{@value #SUMMARY}: the same figures, machine-readable (schema below);</li>
 *   <li>per target, latency runs: {@code TARGET.hgrm}, HdrHistogram's percentile distribution in microseconds
 *   ({@code outputPercentileDistribution} with a scaling ratio of 1000), and {@code TARGET.hlog}, HdrHistogram's
 *   interval log of the same latencies, an interval a second (nanoseconds), written during the run by
 *   {@link IntervalLog};</li>
 *   <li>{@value #CHART_PNG}: every target's percentile distribution on one chart
 *   (throughput runs: records per second per target);</li>
 *   <li>{@value #PAGE}: a page with the chart, the table and links to the other files.</li>
 * </ul>
 * {@value #SUMMARY}: {@code {"run", "command", "startedAt", "mode", "workload": {...}, "machine": {...},
 * "targets": [{"name", "description", ...}]}}; a latency target has {@code "latencyMicros"} (p50, p90, p99, p99.9,
 * p99.99, max, mean), {@code "count"}, {@code "missing"}, {@code "errors"}, {@code "achievedRate"} and, after the
 * first, {@code "ratioToFirst"} (each percentile, max and achievedRate); a throughput target has {@code "records"},
 * {@code "seconds"}, {@code "recordsPerSecond"}, {@code "megabytesPerSecond"}, {@code "errors"} and
 * {@code "ratioToFirst"}.
 */
final class RunResults
{
    static final String REPORT = "report.txt";
    static final String SUMMARY = "summary.json";
    static final String CHART_PNG = "chart.png";
    static final String PAGE = "index.html";
    static final String HGRM_SUFFIX = ".hgrm";
    static final String HLOG_SUFFIX = ".hlog";
    /** Microseconds in the .hgrm files, as the table. */
    static final double HGRM_UNIT_RATIO = 1000.0;
    /** Writes {@value #SUMMARY}, indented; thread-safe once configured. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The longest the chart may take to draw. */
    static final long PLOT_TIMEOUT_S = 60;

    private final HarnessRun.Settings settings;
    private final Instant startedAt;
    private final List<String> descriptions;
    private final List<E2ePhases.LatencyResult> latencies;
    private final List<E2ePhases.ThroughputResult> throughputs;
    private final File directory;

    RunResults(
        final HarnessRun.Settings settings,
        final Instant startedAt,
        final List<String> descriptions,
        final List<E2ePhases.LatencyResult> latencies,
        final List<E2ePhases.ThroughputResult> throughputs)
    {
        this.settings = settings;
        this.startedAt = startedAt;
        this.descriptions = descriptions;
        this.latencies = latencies;
        this.throughputs = throughputs;
        this.directory = settings.runDirectory();
    }

    /**
     * Write every file but the charts.
     *
     * @param report the text printed on the terminal.
     * @throws IOException if a file cannot be written.
     */
    void write(final String report) throws IOException
    {
        Files.writeString(new File(directory, REPORT).toPath(), report, StandardCharsets.UTF_8);
        for (final E2ePhases.LatencyResult result : latencies)
        {
            try (PrintStream hgrm = new PrintStream(new File(directory, result.target + HGRM_SUFFIX),
                StandardCharsets.UTF_8))
            {
                result.histogram.outputPercentileDistribution(hgrm, HGRM_UNIT_RATIO);
            }
        }
        JSON.writeValue(new File(directory, SUMMARY), summary());
        Files.writeString(new File(directory, PAGE).toPath(), page(report), StandardCharsets.UTF_8);
    }

    /**
     * Draw the chart, on a daemon thread given at most {@value #PLOT_TIMEOUT_S} s. A machine without fonts or a
     * display back end cannot draw it, and a charting library may misbehave: either is reported on {@code err} in one
     * line and the run's other files stand.
     *
     * @param err where a failure is reported.
     * @return true if the chart was written.
     * @throws InterruptedException if interrupted while waiting for the drawing.
     */
    boolean plotQuietly(final PrintStream err) throws InterruptedException
    {
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                final Chart<?, ?> chart = !latencies.isEmpty() ?
                    ResultCharts.percentiles(chartTitle(), latencies) :
                    ResultCharts.throughput(chartTitle(), throughputs);
                BitmapEncoder.saveBitmap(
                    chart, new File(directory, CHART_PNG).getPath(), BitmapEncoder.BitmapFormat.PNG);
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }, "sluice-perf-chart");
        thread.setDaemon(true);
        thread.start();
        thread.join(TimeUnit.SECONDS.toMillis(PLOT_TIMEOUT_S));
        if (thread.isAlive())
        {
            err.println("perf: the chart took over " + PLOT_TIMEOUT_S + " s to draw and was given up; the other " +
                "results are written");
            return false;
        }
        if (null != failure.get())
        {
            err.println("perf: could not draw the chart (" + failure.get() + "); the other results are written");
            return false;
        }
        return true;
    }

    private String chartTitle()
    {
        if (!latencies.isEmpty())
        {
            return String.format(Locale.ROOT, "%s latency, %,d msgs/s, %d B, acks=%s",
                settings.measure().label, settings.rate(), settings.size(), settings.acksLabel());
        }
        return String.format(Locale.ROOT, "max throughput, %d B, acks=%s, %d producer(s)",
            settings.size(), settings.acksLabel(), settings.producers());
    }

    ObjectNode summary()
    {
        final ObjectNode root = JSON.createObjectNode();
        root.put("run", directory.getName());
        root.put("command", "sluice perf " + settings.command());
        root.put("startedAt", startedAt.toString());
        root.put("mode", settings.mode().name().toLowerCase(Locale.ROOT));

        final ObjectNode workload = root.putObject("workload");
        if (HarnessRun.Mode.LATENCY == settings.mode())
        {
            workload.put("measure", settings.measure().label);
            workload.put("rate", settings.rate());
        }
        workload.put("size", settings.size());
        workload.put("warmupSeconds", settings.warmupNs() / 1e9);
        workload.put("durationSeconds", settings.durationNs() / 1e9);
        workload.put("acks", settings.acksLabel());
        workload.put("partitions", settings.partitions());
        workload.put("producers", settings.producers());

        final ObjectNode machine = root.putObject("machine");
        machine.put("java", System.getProperty("java.version"));
        machine.put("vm", System.getProperty("java.vm.name"));
        machine.put("os", System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
        machine.put("cpus", Runtime.getRuntime().availableProcessors());

        final ArrayNode targets = root.putArray("targets");
        for (int i = 0; i < latencies.size(); i++)
        {
            final E2ePhases.LatencyResult result = latencies.get(i);
            final Histogram h = result.histogram;
            final ObjectNode target = targets.addObject();
            target.put("name", result.target);
            target.put("description", descriptions.get(i));
            final ObjectNode micros = target.putObject("latencyMicros");
            for (int p = 0; p < ResultTables.PERCENTILES.length; p++)
            {
                micros.put(ResultTables.PERCENTILE_LABELS[p], h.getValueAtPercentile(ResultTables.PERCENTILES[p]) / 1e3);
            }
            micros.put("max", h.getMaxValue() / 1e3);
            micros.put("mean", h.getTotalCount() > 0 ? h.getMean() / 1e3 : 0.0);
            target.put("count", h.getTotalCount());
            target.put("missing", result.missing());
            target.put("errors", result.errors);
            target.put("achievedRate", result.achievedRate);
            target.put("hgrm", result.target + HGRM_SUFFIX);
            if (i > 0)
            {
                final E2ePhases.LatencyResult first = latencies.get(0);
                final ObjectNode ratio = target.putObject("ratioToFirst");
                for (int p = 0; p < ResultTables.PERCENTILES.length; p++)
                {
                    ratio.put(ResultTables.PERCENTILE_LABELS[p],
                        ResultTables.ratio(h, first.histogram, ResultTables.PERCENTILES[p]));
                }
                ratio.put("max", ResultTables.maxRatio(h, first.histogram));
                ratio.put("achievedRate", result.achievedRate / Math.max(1e-9, first.achievedRate));
            }
        }
        for (int i = 0; i < throughputs.size(); i++)
        {
            final E2ePhases.ThroughputResult result = throughputs.get(i);
            final ObjectNode target = targets.addObject();
            target.put("name", result.target);
            target.put("description", descriptions.get(i));
            target.put("records", result.records);
            target.put("seconds", result.elapsedNs / 1e9);
            target.put("recordsPerSecond", result.recordsPerSecond());
            target.put("megabytesPerSecond", result.megabytesPerSecond());
            target.put("errors", result.errors);
            if (i > 0)
            {
                target.putObject("ratioToFirst").put("recordsPerSecond",
                    result.recordsPerSecond() / Math.max(1e-9, throughputs.get(0).recordsPerSecond()));
            }
        }
        return root;
    }

    private String page(final String report)
    {
        final StringBuilder html = new StringBuilder(4096);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .append(escape("sluice perf " + settings.command())).append("</title>\n")
            .append("<style>body{font-family:sans-serif;margin:2em;max-width:75em}")
            .append("pre{background:#f6f6f6;padding:1em;overflow-x:auto}img{max-width:100%}</style>\n")
            .append("</head>\n<body>\n<h1>").append(escape(directory.getName())).append("</h1>\n")
            .append("<p><code>").append(escape("sluice perf " + settings.command())).append("</code></p>\n")
            .append("<p><img src=\"").append(CHART_PNG).append("\" alt=\"").append(escape(chartTitle()))
            .append("\"></p>\n")
            .append("<pre>").append(escape(report)).append("</pre>\n<p>Files: ")
            .append(link(REPORT)).append(", ").append(link(SUMMARY)).append(", ").append(link(CHART_PNG));
        for (final E2ePhases.LatencyResult result : latencies)
        {
            html.append(", ").append(link(result.target + HGRM_SUFFIX))
                .append(", ").append(link(result.target + HLOG_SUFFIX));
        }
        return html.append("</p>\n</body>\n</html>\n").toString();
    }

    private static String link(final String file)
    {
        return "<a href=\"" + escape(file) + "\">" + escape(file) + "</a>";
    }

    static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
