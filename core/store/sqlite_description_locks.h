#pragma once
// SQLite's file locks held by open file description rather than by process.
//
// SQLite's unix VFS locks a database with POSIX record locks (fcntl F_SETLK). Those belong
// to the process: closing *any* descriptor of the same file in the process, however it was
// opened (a file dialog listing the folder, a MIME sniffer reading the header, a size
// query), silently drops every lock the process holds on it. The next outside reader (the
// `sqlite3` shell, a `qnoise` worker) then takes the store for unused when it exits,
// checkpoints it and deletes the write-ahead log under the open connections: later writes
// fail ("disk I/O error") or are lost. SQLite's own "How To Corrupt An SQLite Database
// File" names this (section 2.2, "Posix advisory locks canceled by a separate thread doing
// close()").
//
// Linux's open-file-description locks (F_OFD_SETLK, Linux 3.15) belong to the descriptor
// that took them, so no other close can drop them, and they conflict with the POSIX locks
// of other processes exactly as POSIX locks do: stores stay shared with programs that use
// plain SQLite. SQLite lets a program replace the system calls of its unix VFS
// (sqlite3_vfs::xSetSystemCall); this replaces fcntl with one that turns the three lock
// commands into their open-file-description forms.
namespace qn {

// Installs the replacement into SQLite's default VFS; call before the process opens any
// database (SqliteDatabase does). Idempotent and thread-safe. Throws RuntimeFailure if the
// linked SQLite has no unix VFS that accepts it.
void use_open_file_description_locks();

}  // namespace qn
