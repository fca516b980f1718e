package io.sluice.perf.e2e;

import io.sluice.perf.PerfFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sluice perf latency|throughput|compare}: the harness's command line (picocli). Bad arguments print the
 * usage and exit with 2; a run that loses or fails records exits with 1.
 */
@Command(
    name = "sluice perf",
    mixinStandardHelpOptions = true,
    description = "Latency and throughput of Sluice and its peers, one target at a time, open loop, " +
        "coordinated omission corrected.",
    subcommands = { CommandLine.HelpCommand.class })
public final class HarnessCommand
{
    /** Sending threads of one run; the other limits are those of {@code e2e} ({@link E2eBenchmark}). */
    static final int MAX_PRODUCERS = 64;
    private static final DateTimeFormatter RUN_NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    private final Map<String, Supplier<E2eTarget>> registry;
    private final PacingClock clock;
    private final long drainTimeoutNs;
    private final PrintStream out;
    private final PrintStream err;
    private String[] args = new String[0];

    HarnessCommand(
        final Map<String, Supplier<E2eTarget>> registry,
        final PacingClock clock,
        final long drainTimeoutNs,
        final PrintStream out,
        final PrintStream err)
    {
        this.registry = registry;
        this.clock = clock;
        this.drainTimeoutNs = drainTimeoutNs;
        this.out = out;
        this.err = err;
    }

    /**
     * Run {@code latency}, {@code throughput} or {@code compare} with its options against the registered targets.
     *
     * @param args the command and its options.
     * @param out  receives the report.
     * @param err  receives progress, usage and errors.
     * @return the exit code: 0, 1 if a run lost or failed records or a target failed, 2 for bad arguments.
     */
    public static int execute(final String[] args, final PrintStream out, final PrintStream err)
    {
        return execute(args, E2eTargets.REGISTRY, PacingClock.SYSTEM, E2eBenchmark.DRAIN_TIMEOUT_NS, out, err);
    }

    static int execute(
        final String[] args,
        final Map<String, Supplier<E2eTarget>> registry,
        final PacingClock clock,
        final long drainTimeoutNs,
        final PrintStream out,
        final PrintStream err)
    {
        final HarnessCommand command = new HarnessCommand(registry, clock, drainTimeoutNs, out, err);
        command.args = args.clone();
        return commandLine(command, "sluice perf", out, err).execute(args);
    }

    /**
     * The picocli set-up the perf commands share: output to {@code out} and {@code err}; an
     * {@link IllegalArgumentException} from the run prints its message and the usage (exit 2), any other failure
     * its causes (exit 1).
     *
     * @param command the annotated command.
     * @param prefix  of its error lines, e.g. {@code sluice perf}.
     * @param out     receives the report.
     * @param err     receives usage and errors.
     * @return the command line, ready to execute.
     */
    static CommandLine commandLine(final Object command, final String prefix, final PrintStream out,
        final PrintStream err)
    {
        return new CommandLine(command)
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .setExecutionExceptionHandler((ex, cl, parseResult) ->
            {
                if (ex instanceof IllegalArgumentException)
                {
                    cl.getErr().println(prefix + ": " + ex.getMessage());
                    cl.usage(cl.getErr());
                    return 2;
                }
                cl.getErr().println(prefix + ": failed: " + ex);
                for (Throwable cause = ex.getCause(); null != cause; cause = cause.getCause())
                {
                    cl.getErr().println("  caused by: " + cause);
                }
                return 1;
            });
    }

    /**
     * Open-loop latency of one target.
     *
     * @param target   name.
     * @param measure  what latency is timed to.
     * @param workload the rest of the options.
     * @return the exit code.
     * @throws Exception if the run fails.
     */
    @Command(name = "latency", mixinStandardHelpOptions = true,
        description = "Open-loop latency of one target at --rate, from each record's intended send time.")
    int latency(
        @Option(names = "--target", required = true, paramLabel = "TARGET",
            description = "What to measure: ${COMPLETION-CANDIDATES}.", completionCandidates = TargetNames.class)
        final String target,
        @Option(names = "--measure", defaultValue = "consume", paramLabel = "consume|ack",
            description = "Time each record to its hand-over to a consumer (default) or to its acknowledgement.")
        final String measure,
        @Mixin final WorkloadOptions workload) throws Exception
    {
        return run(HarnessRun.Mode.LATENCY, measure, List.of(target), workload);
    }

    /**
     * Max throughput of one target.
     *
     * @param target   name.
     * @param workload the rest of the options.
     * @return the exit code.
     * @throws Exception if the run fails.
     */
    @Command(name = "throughput", mixinStandardHelpOptions = true,
        description = "Acknowledged records per second of one target, --producers sending as fast as they are let.")
    int throughput(
        @Option(names = "--target", required = true, paramLabel = "TARGET",
            description = "What to measure: ${COMPLETION-CANDIDATES}.", completionCandidates = TargetNames.class)
        final String target,
        @Mixin final WorkloadOptions workload) throws Exception
    {
        return run(HarnessRun.Mode.THROUGHPUT, "ack", List.of(target), workload);
    }

    /**
     * The same workload against several targets, one after another, in one table with ratios to the first.
     *
     * @param targets  names, the first is the base of the ratios.
     * @param mode     latency or throughput.
     * @param measure  what latency is timed to.
     * @param workload the rest of the options.
     * @return the exit code.
     * @throws Exception if the run fails.
     */
    @Command(name = "compare", mixinStandardHelpOptions = true,
        description = "The same workload against each target in turn (same warm-up), one table, ratios to the first.")
    int compare(
        @Option(names = "--targets", required = true, split = ",", paramLabel = "T1,T2,...",
            description = "Targets in order, the first is the base of the ratios: ${COMPLETION-CANDIDATES}.",
            completionCandidates = TargetNames.class)
        final List<String> targets,
        @Option(names = "--mode", defaultValue = "latency", paramLabel = "latency|throughput",
            description = "What to compare (default latency).")
        final String mode,
        @Option(names = "--measure", defaultValue = "consume", paramLabel = "consume|ack",
            description = "Latency: time each record to its hand-over to a consumer (default) or to its ack.")
        final String measure,
        @Mixin final WorkloadOptions workload) throws Exception
    {
        final HarnessRun.Mode parsedMode = switch (mode)
        {
            case "latency" -> HarnessRun.Mode.LATENCY;
            case "throughput" -> HarnessRun.Mode.THROUGHPUT;
            default -> throw new IllegalArgumentException("--mode must be latency or throughput, not '" + mode + "'");
        };
        if (targets.size() != targets.stream().distinct().count())
        {
            throw new IllegalArgumentException("a target is named twice in --targets " + String.join(",", targets));
        }
        return run(parsedMode, measure, targets, workload);
    }

    private int run(
        final HarnessRun.Mode mode, final String measure, final List<String> targets, final WorkloadOptions workload)
        throws Exception
    {
        final E2ePhases.LatencyKind kind = switch (measure)
        {
            case "consume" -> E2ePhases.LatencyKind.PRODUCE_TO_CONSUME;
            case "ack" -> E2ePhases.LatencyKind.PRODUCE_TO_ACK;
            default -> throw new IllegalArgumentException("--measure must be consume or ack, not '" + measure + "'");
        };
        final String runName = null != workload.name ? workload.name :
            LocalDateTime.now().format(RUN_NAME_TIME) + "-" + args[0];
        if (runName.isEmpty() || runName.contains("/") || runName.contains(File.separator) || runName.startsWith("."))
        {
            throw new IllegalArgumentException("--name must be a plain directory name: '" + runName + "'");
        }
        final HarnessRun.Settings settings = new HarnessRun.Settings(
            String.join(" ", args), mode, kind, targets, workload.rate, workload.size, workload.warmupNs,
            workload.durationNs, workload.acks, workload.partitions, workload.producers,
            new File(workload.results, runName), workload.scratch, workload.progressNs);
        return new HarnessRun(settings, registry, clock, drainTimeoutNs, out, err).run();
    }

    /** The options every command shares. */
    static final class WorkloadOptions
    {
        @Option(names = "--rate", defaultValue = "10000", paramLabel = "N", converter = RateConverter.class,
            description = "Records per second of all producers together (latency; default 10,000).")
        long rate;

        @Option(names = "--size", defaultValue = "100", paramLabel = "BYTES", converter = SizeConverter.class,
            description = "Bytes of each record's value, 16 to 1,000,000 (default 100).")
        int size;

        @Option(names = "--duration", defaultValue = "30s", paramLabel = "TIME",
            converter = PositiveDurationConverter.class,
            description = "Measured time per target, e.g. 30s, 2m, 500ms (default 30s).")
        long durationNs;

        @Option(names = "--warmup", defaultValue = "10s", paramLabel = "TIME", converter = DurationConverter.class,
            description = "Unrecorded time before each target's measurement (default 10s).")
        long warmupNs;

        @Option(names = "--acks", defaultValue = "1", paramLabel = "0|1|all", converter = AcksConverter.class,
            description = "Acknowledgement level (default 1); targets without one ignore it (see the README).")
        int acks;

        @Option(names = "--partitions", defaultValue = "1", paramLabel = "N", converter = PartitionsConverter.class,
            description = "Partitions of the topic (default 1).")
        int partitions;

        @Option(names = "--producers", defaultValue = "1", paramLabel = "N", converter = ProducersConverter.class,
            description = "Producers, each on its own thread, sharing --rate (default 1).")
        int producers;

        @Option(names = "--results", defaultValue = "perf-results", paramLabel = "DIR",
            description = "Parent of the run's results directory (default perf-results).")
        File results;

        @Option(names = "--name", paramLabel = "NAME",
            description = "The run's directory under --results (default: date-time-command).")
        String name;

        @Option(names = "--dir", paramLabel = "DIR",
            description = "Parent of the targets' data directories (default: java.io.tmpdir).")
        File scratch = PerfFiles.parentDirectory();

        @Option(names = "--progress", defaultValue = "5s", paramLabel = "TIME", converter = ProgressConverter.class,
            description = "Between progress lines, 0 for none (default 5s).")
        long progressNs;
    }

    /** The registered target names, for the help text. */
    static final class TargetNames extends java.util.ArrayList<String>
    {
        private static final long serialVersionUID = 1L;

        TargetNames()
        {
            super(E2eTargets.REGISTRY.keySet());
        }
    }

    /**
     * A time: a whole number with a unit, {@code ms}, {@code s}, {@code m} or {@code h}; a number alone is seconds.
     */
    static final class DurationConverter implements CommandLine.ITypeConverter<Long>
    {
        private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

        public Long convert(final String value)
        {
            final Matcher matcher = DURATION.matcher(value.trim());
            if (!matcher.matches())
            {
                throw new CommandLine.TypeConversionException(
                    "expected a time such as 30s, 2m or 500ms, not '" + value + "'");
            }
            final long amount = Long.parseLong(matcher.group(1));
            final String unit = null == matcher.group(2) ? "s" : matcher.group(2);
            final long ns = switch (unit)
            {
                case "ms" -> TimeUnit.MILLISECONDS.toNanos(amount);
                case "m" -> TimeUnit.MINUTES.toNanos(amount);
                case "h" -> TimeUnit.HOURS.toNanos(amount);
                default -> TimeUnit.SECONDS.toNanos(amount);
            };
            if (ns > TimeUnit.HOURS.toNanos(1))
            {
                throw new CommandLine.TypeConversionException("at most 1h: '" + value + "'");
            }
            return ns;
        }
    }

    /** A duration of at least 1 ms. */
    static final class PositiveDurationConverter implements CommandLine.ITypeConverter<Long>
    {
        public Long convert(final String value)
        {
            final long ns = new DurationConverter().convert(value);
            if (ns < TimeUnit.MILLISECONDS.toNanos(1))
            {
                throw new CommandLine.TypeConversionException("must be at least 1ms: '" + value + "'");
            }
            return ns;
        }
    }

    /** A progress interval: 0 or at least 100 ms. */
    static final class ProgressConverter implements CommandLine.ITypeConverter<Long>
    {
        public Long convert(final String value)
        {
            final long ns = new DurationConverter().convert(value);
            if (ns != 0 && ns < TimeUnit.MILLISECONDS.toNanos(100))
            {
                throw new CommandLine.TypeConversionException("0 or at least 100ms: '" + value + "'");
            }
            return ns;
        }
    }

    /** {@code 0}, {@code 1} or {@code all} (also {@code -1}), as Kafka's {@code acks}. */
    static final class AcksConverter implements CommandLine.ITypeConverter<Integer>
    {
        public Integer convert(final String value)
        {
            return switch (value)
            {
                case "0" -> 0;
                case "1" -> 1;
                case "all", "-1" -> -1;
                default -> throw new CommandLine.TypeConversionException("expected 0, 1 or all, not '" + value + "'");
            };
        }
    }

    static final class RateConverter implements CommandLine.ITypeConverter<Long>
    {
        public Long convert(final String value)
        {
            return wholeNumber(value, 1, E2eBenchmark.MAX_RATE);
        }
    }

    static final class SizeConverter implements CommandLine.ITypeConverter<Integer>
    {
        public Integer convert(final String value)
        {
            return (int)wholeNumber(value, E2eSettings.MIN_RECORD_SIZE, E2eBenchmark.MAX_SIZE);
        }
    }

    static final class PartitionsConverter implements CommandLine.ITypeConverter<Integer>
    {
        public Integer convert(final String value)
        {
            return (int)wholeNumber(value, 1, E2eBenchmark.MAX_PARTITIONS);
        }
    }

    static final class ProducersConverter implements CommandLine.ITypeConverter<Integer>
    {
        public Integer convert(final String value)
        {
            return (int)wholeNumber(value, 1, MAX_PRODUCERS);
        }
    }

    /**
     * A whole number in a range; underscores and commas are allowed as separators ({@code 100_000}).
     */
    static long wholeNumber(final String value, final long min, final long max)
    {
        final long parsed;
        try
        {
            parsed = Long.parseLong(value.replace("_", "").replace(",", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new CommandLine.TypeConversionException("expected a whole number, not '" + value + "'");
        }
        if (parsed < min || parsed > max)
        {
            throw new CommandLine.TypeConversionException("must be from " + min + " to " + max + ": " + parsed);
        }
        return parsed;
    }
}
