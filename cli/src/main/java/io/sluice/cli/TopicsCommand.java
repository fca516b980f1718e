package io.sluice.cli;

import io.sluice.transport.ClientConnection;
import io.sluice.transport.TopicDescription;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code sluice topics create|list|describe|delete}.
 */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Create, list, describe and delete topics.",
    subcommands = {
        TopicsCommand.Create.class, TopicsCommand.ListTopics.class, TopicsCommand.Describe.class,
        TopicsCommand.Delete.class
    })
final class TopicsCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "create, list, describe or delete is required");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic.")
    static final class Create implements Runnable
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic name.")
        String topic;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "1",
            description = "Partitions (default ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--replication-factor", paramLabel = "R", defaultValue = "1",
            description = "Replicas per partition (default ${DEFAULT-VALUE}; a single broker has 1).")
        int replicationFactor;

        @Option(names = "--config", paramLabel = "KEY=VALUE",
            description = "Topic configuration, e.g. --config retention.ms=3600000 (repeatable).")
        Map<String, String> config = new LinkedHashMap<>();

        public void run()
        {
            if (partitions < 1)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--partitions must be at least 1");
            }
            if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--replication-factor must be at least 1");
            }
            try (ClientConnection connection = client.connect("sluice-topics"))
            {
                final int id = connection.createTopic(topic, partitions, replicationFactor, config);
                final PrintWriter out = spec.commandLine().getOut();
                out.println("Created topic " + topic + " with " + partitions + " partition" +
                    (partitions == 1 ? "" : "s") + " (id " + id + ").");
                out.flush();
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List topic names.")
    static final class ListTopics implements Runnable
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        public void run()
        {
            try (ClientConnection connection = client.connect("sluice-topics"))
            {
                final PrintWriter out = spec.commandLine().getOut();
                for (final TopicDescription topic : connection.describeTopics(null, false))
                {
                    out.println(topic.name());
                }
                out.flush();
            }
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Describe a topic (or all): partitions, leader, replicas, ISR, offsets, configuration.")
    static final class Describe implements Runnable
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--topic", paramLabel = "TOPIC", description = "Topic name (default: every topic).")
        String topic;

        public void run()
        {
            try (ClientConnection connection = client.connect("sluice-topics"))
            {
                final PrintWriter out = spec.commandLine().getOut();
                for (final TopicDescription description : connection.describeTopics(topic, true))
                {
                    print(out, description);
                }
                out.flush();
            }
        }

        static void print(final PrintWriter out, final TopicDescription topic)
        {
            final String configs = topic.config().entrySet().stream()
                .map((e) -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
            out.println("Topic: " + topic.name() + "\tTopicId: " + topic.topicId() + "\tPartitionCount: " +
                topic.partitions().size() + "\tReplicationFactor: " + topic.replicationFactor() + "\tConfigs: " +
                configs);
            for (final TopicDescription.PartitionDescription p : topic.partitions())
            {
                out.println("\tTopic: " + topic.name() + "\tPartition: " + p.partition() + "\tLeader: " + p.leader() +
                    "\tReplicas: " + join(p.replicas()) + "\tIsr: " + join(p.isr()) + "\tLeaderEpoch: " +
                    p.leaderEpoch() + "\tLogStartOffset: " + p.logStartOffset() + "\tHighWatermark: " +
                    p.highWatermark() + "\tLogEndOffset: " + p.logEndOffset() + "\tSizeBytes: " + p.sizeBytes());
            }
        }

        private static String join(final List<Integer> ids)
        {
            return ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a topic and its data.")
    static final class Delete implements Runnable
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic name.")
        String topic;

        public void run()
        {
            try (ClientConnection connection = client.connect("sluice-topics"))
            {
                connection.deleteTopic(topic);
                final PrintWriter out = spec.commandLine().getOut();
                out.println("Deleted topic " + topic + ".");
                out.flush();
            }
        }
    }
}
