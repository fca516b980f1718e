package io.sluice.perf.e2e;

import io.sluice.perf.PerfFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.File;
import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code sluice perf failover}: the failover benchmark's command line (picocli); the run is {@link FailoverRun}.
 * Bad arguments print the usage and exit with 2; a run in which a kill did not recover or an acknowledged record was
 * lost, duplicated or reordered exits with 1.
 * <p>
 * The defaults of {@code --session-timeout-ms} and {@code --broker-timeout-ms} are the documented cluster timeouts
 * of the perf README: the values found to fail over in under 2 s at the median on the 2-core reference machine
 * without false failovers.
 */
@Command(
    name = "sluice perf failover",
    mixinStandardHelpOptions = true,
    description = "SIGKILL the leader of a replicated partition --kills times under an acks=all idempotent " +
        "producer; time to the first acknowledgements after each kill; check that no acknowledged record was lost " +
        "or duplicated.")
public final class FailoverCommand implements Callable<Integer>
{
    /** The brokers' {@code controller.session.timeout.ms} by default: a documented cluster timeout. */
    static final long SESSION_TIMEOUT_MS_DEFAULT = 1000;
    /** The client's {@code withBrokerTimeout} by default: a documented cluster timeout. */
    static final long BROKER_TIMEOUT_MS_DEFAULT = 1200;
    static final int MAX_KILLS = 1000;
    static final long MAX_RATE = 100_000;
    static final int MAX_PARTITIONS = 64;
    private static final DateTimeFormatter RUN_NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

    private final PrintStream out;
    private final PrintStream err;
    private String[] args = new String[0];

    @Option(names = "--kills", defaultValue = "10", paramLabel = "N", converter = KillsConverter.class,
        description = "Leader kills, one after another (default 10).")
    int kills;

    @Option(names = "--rate", defaultValue = "1000", paramLabel = "N", converter = RateConverter.class,
        description = "Records per second the producer sends, acks=all (default 1,000).")
    long rate;

    @Option(names = "--partitions", defaultValue = "3", paramLabel = "N", converter = PartitionsConverter.class,
        description = "Partitions of the topic (default 3: each broker leads one, so any broker can be killed; " +
            "every third kill takes the controller quorum's leader, the others its followers).")
    int partitions;

    @Option(names = "--session-timeout-ms", defaultValue = "" + SESSION_TIMEOUT_MS_DEFAULT, paramLabel = "MS",
        converter = SessionTimeoutConverter.class,
        description = "The brokers' controller.session.timeout.ms: a broker silent this long is fenced and its " +
            "partitions get new leaders (default ${DEFAULT-VALUE}; the broker's own default is 2000).")
    long sessionTimeoutMs;

    @Option(names = "--broker-timeout-ms", defaultValue = "" + BROKER_TIMEOUT_MS_DEFAULT, paramLabel = "MS",
        converter = BrokerTimeoutConverter.class,
        description = "The client's withBrokerTimeout: a broker silent this long counts as lost (default " +
            "${DEFAULT-VALUE}; the client's own default is 2000).")
    long brokerTimeoutMs;

    @Option(names = "--settle", defaultValue = "2s", paramLabel = "TIME",
        converter = HarnessCommand.DurationConverter.class,
        description = "Steady time watched for unexpected leader or ISR changes before the first kill and after " +
            "each broker's return (default 2s).")
    long settleNs;

    @Option(names = "--segment-bytes", paramLabel = "BYTES", converter = SegmentBytesConverter.class,
        description = "The brokers' segment.bytes, 1 MiB to 1 GiB (default: the broker's, 256 MiB). Each new " +
            "replica zero-fills its first segment on the broker's thread: smaller segments start faster on a " +
            "busy disk.")
    long segmentBytes;

    @Option(names = "--results", defaultValue = "perf-results", paramLabel = "DIR",
        description = "Parent of the run's results directory (default perf-results).")
    File results;

    @Option(names = "--name", paramLabel = "NAME",
        description = "The run's directory under --results (default: date-time-failover).")
    String name;

    @Option(names = "--dir", paramLabel = "DIR",
        description = "Parent of the brokers' data directories (default: java.io.tmpdir).")
    File scratch = PerfFiles.parentDirectory();

    FailoverCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * Run {@code failover} with its options.
     *
     * @param args the options, after the command's name.
     * @param out  receives the report.
     * @param err  receives progress, usage and errors.
     * @return the exit code: 0, 1 if the run lost records or failed, 2 for bad arguments.
     */
    public static int execute(final String[] args, final PrintStream out, final PrintStream err)
    {
        final FailoverCommand command = new FailoverCommand(out, err);
        command.args = args.clone();
        return HarnessCommand.commandLine(command, "sluice perf failover", out, err).execute(args);
    }

    /**
     * Run the kills.
     *
     * @return the exit code.
     * @throws Exception if the run fails.
     */
    public Integer call() throws Exception
    {
        final String runName = null != name ? name : LocalDateTime.now().format(RUN_NAME_TIME) + "-failover";
        if (runName.isEmpty() || runName.contains("/") || runName.contains(File.separator) || runName.startsWith("."))
        {
            throw new IllegalArgumentException("--name must be a plain directory name: '" + runName + "'");
        }
        final FailoverRun.Settings settings = new FailoverRun.Settings(
            "failover " + String.join(" ", args), kills, rate, partitions, sessionTimeoutMs, brokerTimeoutMs,
            segmentBytes, settleNs, new File(results, runName), scratch);
        return new FailoverRun(settings, out, err).run();
    }

    static final class KillsConverter implements CommandLine.ITypeConverter<Integer>
    {
        public Integer convert(final String value)
        {
            return (int)HarnessCommand.wholeNumber(value, 1, MAX_KILLS);
        }
    }

    static final class RateConverter implements CommandLine.ITypeConverter<Long>
    {
        public Long convert(final String value)
        {
            return HarnessCommand.wholeNumber(value, 1, MAX_RATE);
        }
    }

    static final class PartitionsConverter implements CommandLine.ITypeConverter<Integer>
    {
        public Integer convert(final String value)
        {
            return (int)HarnessCommand.wholeNumber(value, 1, MAX_PARTITIONS);
        }
    }

    static final class SegmentBytesConverter implements CommandLine.ITypeConverter<Long>
    {
        public Long convert(final String value)
        {
            return HarnessCommand.wholeNumber(value, 1024 * 1024, 1024 * 1024 * 1024);
        }
    }

    static final class SessionTimeoutConverter implements CommandLine.ITypeConverter<Long>
    {
        public Long convert(final String value)
        {
            return HarnessCommand.wholeNumber(value, 100, 60_000);
        }
    }

    /** At least 200 ms: the client refuses less (Aeron heartbeats an idle stream every 100 ms). */
    static final class BrokerTimeoutConverter implements CommandLine.ITypeConverter<Long>
    {
        public Long convert(final String value)
        {
            return HarnessCommand.wholeNumber(value, 200, 60_000);
        }
    }
}
