package io.sluice.perf.e2e;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * Writes the intervals of one latency phase to an HdrHistogram interval log ({@code TARGET.hlog}, nanoseconds), as
 * they come, and passes every call on to another {@link E2ePhases.PhaseProgress} (the progress line). The log shows
 * when in the run the slow records were, which a single distribution cannot: HdrHistogram's
 * {@code HistogramLogProcessor} and HistogramLogAnalyzer read it.
 * <p>
 * Threads: as {@link E2ePhases.PhaseProgress}; intervals never come at the same time.
 */
final class IntervalLog implements E2ePhases.PhaseProgress, AutoCloseable
{
    private final E2ePhases.PhaseProgress next;
    private final PrintStream out;
    private final HistogramLogWriter writer;
    private boolean baseTimeWritten;

    /**
     * @param file    to create.
     * @param comment the log's first line.
     * @param next    told of everything too.
     * @throws IOException if the file cannot be created.
     */
    IntervalLog(final File file, final String comment, final E2ePhases.PhaseProgress next) throws IOException
    {
        this.next = next;
        this.out = new PrintStream(file, StandardCharsets.UTF_8);
        this.writer = new HistogramLogWriter(out);
        writer.outputComment(comment);
        writer.outputLogFormatVersion();
    }

    public void begin(
        final String label,
        final long startNs,
        final long warmupNs,
        final long endNs,
        final LongSupplier sent,
        final LongSupplier done)
    {
        next.begin(label, startNs, warmupNs, endNs, sent, done);
    }

    public void onInterval(final Histogram interval)
    {
        if (!baseTimeWritten)
        {
            baseTimeWritten = true;
            writer.outputStartTime(interval.getStartTimeStamp());
            writer.outputBaseTime(interval.getStartTimeStamp());
            writer.setBaseTime(interval.getStartTimeStamp());
            writer.outputLegend();
        }
        writer.outputIntervalHistogram(interval);
        next.onInterval(interval);
    }

    public void end()
    {
        next.end();
        out.flush();
    }

    public void close()
    {
        out.close();
    }
}
