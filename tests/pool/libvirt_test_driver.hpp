// -----------------------------------------------------------------------------
// File: libvirt_test_driver.hpp
// -----------------------------------------------------------------------------
//
// Scene setting for LibvirtPool tests on libvirt's in-process test driver.
#ifndef FORESIGHT_TESTS_POOL_LIBVIRT_TEST_DRIVER_HPP_
#define FORESIGHT_TESTS_POOL_LIBVIRT_TEST_DRIVER_HPP_

#include <doctest/doctest.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "foresight/pool/libvirt_pool.hpp"

namespace foresight::testing {

// A second connection to the test driver for setting the scene; while it is
// open the driver's state (shared by every test:///default connection of the
// process) lives, and it is reset once the last connection closes.
class TestDriver {
 public:
  TestDriver() {
    conn_ = virConnectOpen("test:///default");
    REQUIRE(conn_ != nullptr);
    virConnSetErrorFunc(conn_, nullptr, [](void*, virErrorPtr) {});
  }
  ~TestDriver() {
    for (virDomainPtr d : created_) virDomainFree(d);
    virConnectClose(conn_);
  }
  TestDriver(const TestDriver&) = delete;
  TestDriver& operator=(const TestDriver&) = delete;

  // Shuts domain `name` off (destroy) or starts it again.
  void SetRunning(const std::string& name, bool running) {
    virDomainPtr d = virDomainLookupByName(conn_, name.c_str());
    REQUIRE(d != nullptr);
    const int rc = running ? virDomainCreate(d) : virDomainDestroy(d);
    virDomainFree(d);
    REQUIRE_MESSAGE(rc == 0, virGetLastErrorMessage());
  }

  // Starts a transient domain with a disk `vdb` and an interface with MAC
  // `mac` (the test driver renames every interface target to testnet0, so
  // tests name it by MAC address, which libvirt accepts wherever a device is named).
  void CreateDomain(const std::string& name, int vcpus, int max_vcpus, double memory,
                    double max_memory, const std::string& mac = "52:54:00:00:00:02") {
    const std::string xml = absl::StrCat(
        "<domain type='test'><name>", name, "</name>", "<memory unit='KiB'>",
        static_cast<long long>(max_memory / 1024.0), "</memory><currentMemory unit='KiB'>",
        static_cast<long long>(memory / 1024.0), "</currentMemory><vcpu current='", vcpus, "'>",
        max_vcpus, "</vcpu><os><type>hvm</type></os><devices>",
        "<disk type='file' device='disk'><source file='/guest/", name,
        ".img'/><target dev='vdb' bus='virtio'/></disk>",
        "<interface type='network'><mac address='", mac,
        "'/><source network='default'/></interface></devices></domain>");
    virDomainPtr d = virDomainCreateXML(conn_, xml.c_str(), 0);
    REQUIRE_MESSAGE(d != nullptr, virGetLastErrorMessage());
    created_.push_back(d);
  }

 private:
  virConnectPtr conn_ = nullptr;
  std::vector<virDomainPtr> created_;
};

// test:///default with 100 MiB/s of io and net capacity declared.
inline LibvirtPoolOptions TestOptions() {
  LibvirtPoolOptions o;
  o.uri = "test:///default";
  o.capacity.io() = 100.0 * 1024 * 1024;
  o.capacity.net() = 100.0 * 1024 * 1024;
  return o;
}

// Starts "u2" (1 of 4 vCPUs, 512 MiB of 1 GiB) beside the driver's "test" and
// opens a pool managing user 1 = "test" (disk vda, interface testnet0) and
// user 2 = "u2" (disk vdb and its interface when `u2_devices`).
inline LibvirtPool TwoDomainPool(TestDriver& driver, LibvirtPoolOptions options = TestOptions(),
                                 bool u2_devices = false) {
  driver.CreateDomain("u2", 1, 4, 512.0 * 1024 * 1024, 1024.0 * 1024 * 1024);
  absl::StatusOr<LibvirtPool> pool = LibvirtPool::Open(std::move(options));
  REQUIRE_MESSAGE(pool.ok(), pool.status());
  REQUIRE(pool->AddDomain(UserId{1}, "test", "vda", "testnet0").ok());
  REQUIRE((u2_devices ? pool->AddDomain(UserId{2}, "u2", "vdb", "52:54:00:00:00:02")
                      : pool->AddDomain(UserId{2}, "u2"))
              .ok());
  return std::move(*pool);
}

}  // namespace foresight::testing

#endif  // FORESIGHT_TESTS_POOL_LIBVIRT_TEST_DRIVER_HPP_
