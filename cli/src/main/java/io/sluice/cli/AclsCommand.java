package io.sluice.cli;

import io.sluice.codecs.client.AclOperation;
import io.sluice.codecs.client.AclPatternType;
import io.sluice.codecs.client.AclResourceType;
import io.sluice.transport.AclEntry;
import io.sluice.transport.ClientConnection;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@code sluice acls add|remove|list}: a broker's ACLs ({@code authorization=acls}), as {@code kafka-acls} edits
 * Kafka's. Adding and removing need {@code ALTER} on the cluster, listing {@code DESCRIBE} (or a super user).
 */
@Command(name = "acls", mixinStandardHelpOptions = true,
    description = {"Add, remove and list a broker's ACLs (authorization=acls): who may do what to which topic, group " +
        "or the cluster. What no ACL allows is denied, except to super.users."},
    subcommands = { AclsCommand.Add.class, AclsCommand.Remove.class, AclsCommand.ListAcls.class })
final class AclsCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "add, remove or list is required");
    }

    /** The resource an ACL names: exactly one of a topic, a group or the cluster. */
    static final class Resource
    {
        @Option(names = "--topic", paramLabel = "NAME", description = "A topic name, a prefix with " +
            "--prefixed, or * for every topic.")
        String topic;

        @Option(names = "--group", paramLabel = "NAME", description = "A group name, a prefix with --prefixed, or * " +
            "for every group.")
        String group;

        @Option(names = "--cluster", description = "The cluster (operations alter, to change the ACLs, and describe, " +
            "to list them).")
        boolean cluster;
    }

    /** The options that make one ACL. */
    static final class AclOptions
    {
        @Option(names = "--principal", required = true, paramLabel = "USER",
            description = "A user name, ANONYMOUS (clients of a broker without authentication), or * for every user.")
        String principal;

        @Option(names = "--operation", required = true, paramLabel = "OP",
            description = "read, write, create, delete, describe (topics); read, describe, delete (groups); alter, " +
                "describe (the cluster). Read, write and delete imply describe.")
        String operation;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Resource resource;

        @Option(names = "--prefixed", description = "The name is a prefix: the ACL covers every name starting with it.")
        boolean prefixed;

        AclEntry toAcl(final CommandLine commandLine)
        {
            final AclOperation op;
            try
            {
                op = AclOperation.valueOf(operation.toUpperCase(Locale.ROOT));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.ParameterException(commandLine, "--operation must be read, write, create, " +
                    "delete, describe or alter, not '" + operation + "'");
            }
            final AclResourceType type = resource.cluster ? AclResourceType.CLUSTER :
                null != resource.topic ? AclResourceType.TOPIC : AclResourceType.GROUP;
            final String name = resource.cluster ? AclEntry.CLUSTER_NAME :
                null != resource.topic ? resource.topic : resource.group;
            try
            {
                return new AclEntry(principal, type, prefixed ? AclPatternType.PREFIXED : AclPatternType.LITERAL,
                    name, op);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.ParameterException(commandLine, ex.getMessage());
            }
        }
    }

    private static void alter(final CommandLine.Model.CommandSpec spec, final ClientOptions client,
        final AclOptions options, final boolean add)
    {
        final AclEntry entry = options.toAcl(spec.commandLine());
        try (ClientConnection connection = client.connect("sluice-acls"))
        {
            if (add)
            {
                connection.addAcl(entry);
            }
            else
            {
                connection.removeAcl(entry);
            }
            spec.commandLine().getOut().println((add ? "added: " : "removed: ") + entry);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Allow a principal an operation on a " +
        "resource.")
    static final class Add implements Runnable
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        @CommandLine.ArgGroup(exclusive = false, multiplicity = "1")
        AclOptions acl;

        public void run()
        {
            alter(spec, client, acl, true);
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove an ACL, given as it was added.")
    static final class Remove implements Runnable
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        @CommandLine.ArgGroup(exclusive = false, multiplicity = "1")
        AclOptions acl;

        public void run()
        {
            alter(spec, client, acl, false);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every ACL, one a line: principal, " +
        "operation, resource type, pattern type and name, tab-separated.")
    static final class ListAcls implements Runnable
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        public void run()
        {
            try (ClientConnection connection = client.connect("sluice-acls"))
            {
                final PrintWriter out = spec.commandLine().getOut();
                for (final AclEntry acl : connection.listAcls())
                {
                    out.println(acl.principal() + "\t" + acl.operation().name().toLowerCase(Locale.ROOT) + "\t" +
                        acl.resourceType().name().toLowerCase(Locale.ROOT) + "\t" +
                        acl.patternType().name().toLowerCase(Locale.ROOT) + "\t" + acl.resourceName());
                }
            }
        }
    }
}
