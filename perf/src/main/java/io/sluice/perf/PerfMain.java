package io.sluice.perf;

import io.sluice.perf.e2e.E2eBenchmark;
import io.sluice.perf.e2e.FailoverCommand;
import io.sluice.perf.e2e.HarnessCommand;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code sluice-perf.jar}:
 * <pre>
 *   java -jar sluice-perf.jar engine [--messages N] [--size BYTES] [--rate MSGS_PER_S] [--warmup N] [--dir DIR]
 *                                    [--segment-bytes N] [--pretouch-bytes N] [--sluice-claim] [--baseline]
 *   java -jar sluice-perf.jar e2e [--targets T,...] [--rates N,...] [--size BYTES] [--duration-s S] [--warmup-s S]
 *                                 [--partitions N] [--throughput-records N] [--dir DIR]
 *   java -jar sluice-perf.jar latency|throughput --target T [--rate N] [--size BYTES] [--duration 30s] ...
 *   java -jar sluice-perf.jar compare --targets T1,T2,... [--mode latency|throughput] ...
 *   java -jar sluice-perf.jar failover [--kills N] [--rate N] [--session-timeout-ms MS] [--broker-timeout-ms MS] ...
 *   java -jar sluice-perf.jar jmh [JMH options]
 * </pre>
 * Bad arguments print the usage and exit with 2. The jar's manifest carries the {@code Add-Opens} and
 * {@code Add-Exports} that Agrona and Chronicle Queue need, so {@code java -jar} needs no flags; the Chronicle
 * properties that keep it offline are set here before anything loads a Chronicle class.
 */
public final class PerfMain
{
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    static final String USAGE = String.join(System.lineSeparator(),
        "usage: java -jar sluice-perf.jar <command> [options]",
        "",
        "commands:",
        "  engine   Sluice's engine against Chronicle Queue: append throughput, scan throughput,",
        "           append latency back to back and at a fixed rate (HdrHistogram, open loop)",
        "             --messages N        messages per phase (default 10000000)",
        "             --size BYTES        message size, 8 to 1000000 (default 100)",
        "             --rate N            appends per second of the paced phase (default 1000000)",
        "             --warmup N          warm-up messages per system and phase (default 1000000)",
        "             --dir DIR           parent of the data directory (default: java.io.tmpdir)",
        "             --segment-bytes N   Sluice segment size, 1 MiB to 1 GiB (default 1073741824)",
        "             --pretouch-bytes N  Sluice pretouch window, 0 for none (default 67108864)",
        "             --sluice-claim      Sluice encodes in place (tryClaim/commit) instead of encode + append",
        "             --baseline          only the latency phases, on a store that just copies the message",
        "                                 into memory: the floor of this machine and harness",
        "  e2e      broker end to end, one target at a time: produce-to-ack and produce-to-consume latency",
        "           at fixed rates (open loop, from the intended send time), then max throughput; acks=1",
        "             --targets T,...         targets, the first is the base of the ratios (default all;",
        "                                     known: " + E2eBenchmark.targetNames() + ")",
        "             --rates N,...           msgs/s of the latency phases (default 10000,100000)",
        "             --size BYTES            record value size, 16 to 1000000 (default 100)",
        "             --duration-s S          measured seconds per phase (default 10)",
        "             --warmup-s S            unrecorded seconds before each phase (default 5)",
        "             --partitions N          partitions of the topic (default 1)",
        "             --throughput-records N  end the throughput window after N acks instead of --duration-s",
        "             --dir DIR               parent of the brokers' directories (default: java.io.tmpdir)",
        "  latency     open-loop latency of one target (--target T), from the intended send time",
        "  throughput  max acknowledged records/s of one target (--target T)",
        "  compare     the same workload against each of --targets T1,T2,..., one table with ratios",
        "              (latency|throughput|compare --help: every option; targets: " + E2eBenchmark.targetNames() + ")",
        "  failover    SIGKILL the leader of a replicated partition (3 Sluice brokers in child JVMs) --kills N",
        "              times under an acks=all producer: time to the first acks after each kill, records lost",
        "              or duplicated (failover --help: every option)",
        "  streams     a windowed count on Sluice Streams and on Kafka Streams 4.4 (a Kafka broker in a child",
        "              JVM): throughput over preloaded records, open-loop end-to-end latency (streams --help)",
        "  jmh      the JMH benchmarks with allocation per op (-prof gc and -foe true are added unless",
        "           given); any JMH option follows, e.g.",
        "             jmh                        (every benchmark)",
        "             jmh -l                     (list the benchmarks)",
        "             jmh AppendBenchmark -p recordsPerBatch=1",
        "  help     this text");

    private PerfMain()
    {
    }

    /**
     * Dispatch to a command.
     *
     * @param args command and its options.
     * @throws Exception if the command fails.
     */
    public static void main(final String[] args) throws Exception
    {
        ChronicleProperties.apply();
        final int exitCode = run(args, System.out, System.err);
        if (EXIT_OK != exitCode)
        {
            System.exit(exitCode);
        }
    }

    static int run(final String[] args, final PrintStream out, final PrintStream err) throws Exception
    {
        if (0 == args.length)
        {
            return usage(err, "no command given");
        }
        final String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0])
        {
            case "engine":
                final EngineComparison.Options options;
                try
                {
                    options = EngineComparison.Options.parse(rest);
                }
                catch (final IllegalArgumentException ex)
                {
                    return usage(err, ex.getMessage());
                }
                return new EngineComparison(options, out).run();

            case "e2e":
                final E2eBenchmark.Options e2eOptions;
                try
                {
                    e2eOptions = E2eBenchmark.Options.parse(rest);
                }
                catch (final IllegalArgumentException ex)
                {
                    return usage(err, ex.getMessage());
                }
                return new E2eBenchmark(e2eOptions, out, err).run();

            case "latency":
            case "throughput":
            case "compare":
                return HarnessCommand.execute(args, out, err);

            case "failover":
                return FailoverCommand.execute(rest, out, err);

            case "streams":
                return io.sluice.perf.e2e.StreamsBenchmark.execute(rest, out, err);

            case "jmh":
                final String[] jmhArgs = jmhArguments(rest);
                try
                {
                    new CommandLineOptions(jmhArgs);
                }
                catch (final CommandLineOptionException ex)
                {
                    return usage(err, "bad JMH options: " + ex.getMessage());
                }
                // JMH exits by itself on failure (status 1); with -foe true a failing benchmark fails the run.
                org.openjdk.jmh.Main.main(jmhArgs);
                return EXIT_OK;

            case "help":
            case "-h":
            case "--help":
                out.println(USAGE);
                return EXIT_OK;

            default:
                return usage(err, "unknown command '" + args[0] + "'");
        }
    }

    /**
     * The JMH arguments with the GC profiler (allocation per op: {@code gc.alloc.rate.norm}) and fail-on-error
     * added, unless the caller gave a profiler or {@code -foe}, or only asks for a listing or help.
     *
     * @param args as given.
     * @return the arguments JMH runs with.
     */
    static String[] jmhArguments(final String[] args)
    {
        final List<String> list = new ArrayList<>(Arrays.asList(args));
        if (list.contains("-l") || list.contains("-lp") || list.contains("-h") || list.contains("-lprof") ||
            list.contains("-lrf"))
        {
            return args;
        }
        if (!list.contains("-prof"))
        {
            list.add(0, "gc");
            list.add(0, "-prof");
        }
        if (!list.contains("-foe"))
        {
            list.add(0, "true");
            list.add(0, "-foe");
        }
        return list.toArray(new String[0]);
    }

    private static int usage(final PrintStream err, final String problem)
    {
        err.println("sluice-perf: " + problem);
        err.println(USAGE);
        return EXIT_USAGE;
    }
}
