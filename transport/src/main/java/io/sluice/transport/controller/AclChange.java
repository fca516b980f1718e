package io.sluice.transport.controller;

import io.sluice.transport.AclEntry;

/**
 * An ACL added to or removed from the cluster's metadata; every broker applies it to the ACLs it checks requests
 * against.
 *
 * @param acl   the ACL.
 * @param added true if added, false if removed.
 */
public record AclChange(AclEntry acl, boolean added) implements MetadataRecord
{
}
