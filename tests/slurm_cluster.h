#pragma once
// A real single-node Slurm cluster for a test suite: munged, slurmctld and slurmd started
// with a minimal configuration (state, spool and logs in a temporary folder), stopped when
// the suite ends, and /etc/slurm/slurm.conf put back as it was. Needs root (Slurm's
// daemons do) and Debian's slurm-wlm and munge; installer/setup.sh installs them.
#include <netdb.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <csignal>
#include <string>
#include <thread>

namespace qn::test {

class SlurmCluster {
 public:
  SlurmCluster() {
    if (geteuid() != 0) {
      error_ = "a Slurm cluster needs root (its daemons run as root here)";
      return;
    }
    if (!QFile::exists("/usr/sbin/slurmctld") || !QFile::exists("/usr/sbin/munged")) {
      error_ = "slurm-wlm and munge are not installed";
      return;
    }
    // What a machine has and a bare chroot may lack: without them slurmd exits at once
    // and the Slurm clients wait for a controller they cannot reach.
    if (QDir("/sys/fs/cgroup").isEmpty()) {
      error_ = "slurmd needs the cgroup file system mounted at /sys/fs/cgroup";
      return;
    }
    const auto host = short_host_name();
    if (!resolves(host)) {
      error_ = "the host name " + host + " does not resolve (slurmctld listens on it): add it to /etc/hosts";
      return;
    }
    const auto dir = folder_.path();
    QDir().mkpath(dir + "/state");
    QDir().mkpath(dir + "/spool");
    if (QFile::exists(kConf)) {
      QFile::remove(dir + "/slurm.conf.saved");
      QFile::copy(kConf, dir + "/slurm.conf.saved");
    }
    QDir().mkpath("/etc/slurm");
    QFile conf(kConf);
    conf.open(QIODevice::WriteOnly);
    conf.write(QString("ClusterName=qnstest\n"
                       "SlurmctldHost=%1\n"
                       "AuthType=auth/munge\n"
                       "ProctrackType=proctrack/linuxproc\n"
                       "TaskPlugin=task/none\n"
                       "SelectType=select/cons_tres\n"
                       "SelectTypeParameters=CR_Core\n"
                       "SlurmUser=root\n"
                       "SlurmdUser=root\n"
                       "StateSaveLocation=%2/state\n"
                       "SlurmdSpoolDir=%2/spool\n"
                       "SlurmctldPidFile=%2/slurmctld.pid\n"
                       "SlurmdPidFile=%2/slurmd.pid\n"
                       "SlurmctldLogFile=%2/slurmctld.log\n"
                       "SlurmdLogFile=%2/slurmd.log\n"
                       "ReturnToService=2\n"
                       "JobAcctGatherType=jobacct_gather/none\n"
                       "NodeName=%1 CPUs=%3 RealMemory=1000 State=UNKNOWN\n"
                       "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n")
                   .arg(QString::fromStdString(host), dir)
                   .arg(std::thread::hardware_concurrency())
                   .toUtf8());
    conf.close();
    wrote_conf_ = true;
    // munged: one already running (a machine's own Slurm) is used as it is.
    if (!run("pgrep", {"-x", "munged"})) {
      QDir().mkpath("/run/munge");
      run("chown", {"munge:munge", "/run/munge"});
      if (!QFile::exists("/etc/munge/munge.key")) run("/usr/sbin/mungekey", {"--create"});
      if (!run("runuser", {"-u", "munge", "--", "/usr/sbin/munged"})) return;
      started_munge_ = true;
    }
    if (!run("/usr/sbin/slurmctld", {}) || !run("/usr/sbin/slurmd", {})) return;
    for (int tries = 0; tries < 60; ++tries) {
      QProcess sinfo;
      sinfo.start("sinfo", {"-h", "-o", "%t"});
      sinfo.waitForFinished(10000);
      if (sinfo.readAllStandardOutput().trimmed() == "idle") {
        ready_ = true;
        error_.clear();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    error_ = "the Slurm node never became idle (see " + dir.toStdString() + "/slurmctld.log)";
  }

  ~SlurmCluster() {
    const auto dir = folder_.path();
    // Every job on this cluster is the suite's: cancel them, so no task outlives it.
    if (ready_) {
      run("scancel", {"--quiet", "--full", "--user", "root"});
      for (int tries = 0; tries < 60; ++tries) {
        QProcess squeue;
        squeue.start("squeue", {"-h"});
        squeue.waitForFinished(10000);
        if (squeue.readAllStandardOutput().trimmed().isEmpty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    }
    for (const char* pid_file : {"/slurmd.pid", "/slurmctld.pid"}) stop(dir + pid_file);
    if (started_munge_) run("pkill", {"-x", "munged"});
    if (wrote_conf_) {
      QFile::remove(kConf);
      if (QFile::exists(dir + "/slurm.conf.saved")) QFile::copy(dir + "/slurm.conf.saved", kConf);
    }
  }

  bool ready() const { return ready_; }
  const std::string& error() const { return error_; }

 private:
  static constexpr const char* kConf = "/etc/slurm/slurm.conf";

  static bool resolves(const std::string& host) {
    addrinfo* found = nullptr;
    const bool ok = getaddrinfo(host.c_str(), nullptr, nullptr, &found) == 0;
    if (found) freeaddrinfo(found);
    return ok;
  }

  static std::string short_host_name() {
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    const std::string host = name;
    return host.substr(0, host.find('.'));
  }

  bool run(const QString& program, const QStringList& arguments) {
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForFinished(60000) || process.exitCode() != 0) {
      error_ = (program + " " + arguments.join(" ") + ": ").toStdString() +
               process.readAllStandardError().toStdString();
      return false;
    }
    return true;
  }

  void stop(const QString& pid_file) {
    QFile file(pid_file);
    if (!file.open(QIODevice::ReadOnly)) return;
    const auto pid = file.readAll().trimmed().toInt();
    if (pid > 0) ::kill(pid, SIGTERM);
  }

  QTemporaryDir folder_;
  bool wrote_conf_ = false;
  bool started_munge_ = false;
  bool ready_ = false;
  std::string error_;
};

}  // namespace qn::test
