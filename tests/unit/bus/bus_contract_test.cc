// The bus contract (bus_contract.h) against the in-process bus: the Hub itself.
#include "bus_contract.h"

namespace parley::bus::contract {
namespace {

INSTANTIATE_TEST_SUITE_P(InProcess, BusContract,
                         ::testing::Values(Factory{"hub",
                                                   [] { return std::make_unique<Node>(nullptr); },
                                                   1, std::chrono::milliseconds(500)}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace parley::bus::contract
