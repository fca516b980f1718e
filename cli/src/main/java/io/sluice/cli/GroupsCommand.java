package io.sluice.cli;

import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.GroupDescription;
import io.sluice.transport.GroupListing;
import io.sluice.transport.PartitionRef;
import io.sluice.transport.SluiceClientException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code sluice groups list|describe}: the broker's consumer groups, their members and, per partition, the
 * committed offset, the log end offset and the lag between them, as {@code kafka-consumer-groups} shows them.
 */
@Command(name = "groups", mixinStandardHelpOptions = true,
    description = "List and describe consumer groups: members, assignments, committed offsets and lag.",
    subcommands = { GroupsCommand.ListGroups.class, GroupsCommand.Describe.class })
final class GroupsCommand implements Runnable
{
    /** Printed for an unknown offset or lag, and for a partition no member reads. */
    static final String NONE = "-";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "list or describe is required");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "List consumer groups, those with members and those with only committed offsets: " +
            "one line per group with its state, members, generation and assignor.")
    static final class ListGroups implements Runnable
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        public void run()
        {
            try (Brokers brokers = client.brokers("sluice-groups"))
            {
                final ClientConnection connection = brokers.coordinator();
                final PrintWriter out = spec.commandLine().getOut();
                for (final GroupListing group : connection.listGroups())
                {
                    out.println("Group: " + group.name() + "\tState: " + group.state() + "\tMembers: " +
                        group.members() + "\tGeneration: " + group.generation() + "\tAssignor: " +
                        orNone(group.assignor()));
                }
                out.flush();
            }
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Describe a consumer group: per partition the committed offset, log end offset, lag and " +
            "member; then the members and their assignments.")
    static final class Describe implements Runnable
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--group", required = true, paramLabel = "GROUP", description = "Group name.")
        String group;

        public void run()
        {
            if (group.isEmpty())
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--group must not be empty");
            }
            try (Brokers brokers = client.brokers("sluice-groups"))
            {
                final ClientConnection connection = brokers.coordinator();
                final GroupDescription description;
                try
                {
                    description = connection.describeGroup(group);
                }
                catch (final SluiceClientException ex)
                {
                    if (ex.errorCode() == ErrorCode.UNKNOWN_GROUP)
                    {
                        throw new SluiceClientException(
                            ex.errorCode(), "group " + group + " has no members and no committed offsets");
                    }
                    throw ex;
                }
                final PrintWriter out = spec.commandLine().getOut();
                print(out, description);
                out.flush();
            }
        }

        /**
         * Print the group's header line, the offsets table and, if it has members, the members table.
         *
         * @param out   to print to.
         * @param group to print.
         */
        static void print(final PrintWriter out, final GroupDescription group)
        {
            out.println("Group: " + group.name() + "\tState: " + group.state() + "\tGeneration: " +
                group.generation() + "\tAssignor: " + orNone(group.assignor()) + "\tMembers: " +
                group.members().size());
            out.println();

            final Map<String, String> clientByMember = new HashMap<>();
            for (final GroupDescription.Member member : group.members())
            {
                clientByMember.put(member.memberId(), member.clientName());
            }
            final List<String[]> offsets = new ArrayList<>();
            offsets.add(new String[]{
                "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID", "CLIENT" });
            for (final GroupDescription.PartitionOffset offset : group.offsets())
            {
                final boolean owned = !offset.memberId().isEmpty();
                offsets.add(new String[]{
                    offset.partition().topic(),
                    String.valueOf(offset.partition().partition()),
                    orNone(offset.committedOffset()),
                    orNone(offset.endOffset()),
                    orNone(offset.lag()),
                    owned ? offset.memberId() : NONE,
                    owned ? orNone(clientByMember.getOrDefault(offset.memberId(), "")) : NONE });
            }
            printTable(out, offsets);

            if (!group.members().isEmpty())
            {
                out.println();
                final List<String[]> members = new ArrayList<>();
                members.add(new String[]{ "MEMBER-ID", "CLIENT", "SESSION-TIMEOUT-MS", "#PARTITIONS", "ASSIGNMENT" });
                for (final GroupDescription.Member member : group.members())
                {
                    members.add(new String[]{
                        member.memberId(),
                        orNone(member.clientName()),
                        String.valueOf(member.sessionTimeoutMs()),
                        String.valueOf(member.assignment().size()),
                        member.assignment().isEmpty() ? NONE :
                            member.assignment().stream().map(PartitionRef::toString).collect(Collectors.joining(","))
                    });
                }
                printTable(out, members);
            }
        }
    }

    /**
     * Print rows padded to the widest cell of each column, two spaces apart, the last column unpadded.
     *
     * @param out  to print to.
     * @param rows the header row first; every row has as many cells.
     */
    static void printTable(final PrintWriter out, final List<String[]> rows)
    {
        final int columns = rows.get(0).length;
        final int[] widths = new int[columns];
        for (final String[] row : rows)
        {
            for (int i = 0; i < columns; i++)
            {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        final StringBuilder line = new StringBuilder();
        for (final String[] row : rows)
        {
            line.setLength(0);
            for (int i = 0; i < columns; i++)
            {
                line.append(row[i]);
                if (i < columns - 1)
                {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.println(line);
        }
    }

    /**
     * @param value a name, possibly empty.
     * @return the value, or {@value #NONE} for none.
     */
    static String orNone(final String value)
    {
        return null == value || value.isEmpty() ? NONE : value;
    }

    /**
     * @param value an offset or lag, negative when unknown.
     * @return the value, or {@value #NONE} when unknown.
     */
    static String orNone(final long value)
    {
        return value < 0 ? NONE : String.valueOf(value);
    }
}
