// cdkv: a command-line client for citizens, desk officers and supervisors, so a
// person can walk a filing through its whole life from a terminal. Every
// command prints the server's answer as JSON; tokens come from --token or
// CDKV_TOKEN.

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cdkv/v1/auth.grpc.pb.h"
#include "cdkv/v1/catalog.grpc.pb.h"
#include "cdkv/v1/citizen.grpc.pb.h"
#include "cdkv/v1/desk.grpc.pb.h"
#include "cdkv/v1/supervision.grpc.pb.h"

namespace {

struct Options {
  std::string server = "127.0.0.1:50051";
  std::string token;
};

std::string RequestId() {
  std::random_device device;
  std::mt19937_64 random(device());
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "cli-%016llx%08llx",
                static_cast<unsigned long long>(random()),
                static_cast<unsigned long long>(random() & 0xffffffff));
  return buffer;
}

std::unique_ptr<grpc::ClientContext> Context(const Options& options) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!options.token.empty()) {
    context->AddMetadata("authorization", "Bearer " + options.token);
  }
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(30));
  return context;
}

int Print(const grpc::Status& status,
          const google::protobuf::Message& message) {
  if (!status.ok()) {
    std::cerr << "cdkv: " << status.error_code() << ": "
              << status.error_message() << "\n";
    return 1;
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.add_whitespace = true;
  print.preserve_proto_field_names = true;
  google::protobuf::util::MessageToJsonString(message, &json, print);
  std::cout << json;
  return 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (const char* token = std::getenv("CDKV_TOKEN")) options.token = token;
  if (const char* server = std::getenv("CDKV_SERVER")) options.server = server;

  CLI::App app{"cdkv: walk a filing through its life from a terminal.", "cdkv"};
  app.require_subcommand(1);
  app.add_option("--server", options.server,
                 "host:port of cdkv-server (env CDKV_SERVER)");
  app.add_option("--token", options.token, "bearer token (env CDKV_TOKEN)");

  int result = 0;
  auto channel = [&] {
    return grpc::CreateChannel(options.server,
                               grpc::InsecureChannelCredentials());
  };

  // --- signing in ---
  std::string phone, code, username, password;
  auto* ask = app.add_subcommand("ask-code",
                                 "send a sign-in code to a citizen's phone");
  ask->add_option("phone", phone)->required();
  ask->callback([&] {
    cdkv::v1::RequestSignInCodeRequest request;
    request.set_phone_number(phone);
    cdkv::v1::RequestSignInCodeResponse response;
    result = Print(cdkv::v1::AuthService::NewStub(channel())->RequestSignInCode(
                       Context(options).get(), request, &response),
                   response);
  });
  auto* sign_in =
      app.add_subcommand("sign-in", "sign a citizen in with the code they got");
  sign_in->add_option("phone", phone)->required();
  sign_in->add_option("code", code)->required();
  sign_in->callback([&] {
    cdkv::v1::SignInWithCodeRequest request;
    request.set_phone_number(phone);
    request.set_code(code);
    cdkv::v1::SignInWithCodeResponse response;
    result = Print(cdkv::v1::AuthService::NewStub(channel())->SignInWithCode(
                       Context(options).get(), request, &response),
                   response);
  });
  auto* staff = app.add_subcommand("staff-sign-in",
                                   "sign an officer or supervisor in (password "
                                   "from CDKV_PASSWORD or stdin)");
  staff->add_option("username", username)->required();
  staff->callback([&] {
    if (const char* p = std::getenv("CDKV_PASSWORD")) {
      password = p;
    } else {
      std::getline(std::cin, password);
    }
    cdkv::v1::SignInWithPasswordRequest request;
    request.set_username(username);
    request.set_password(password);
    cdkv::v1::SignInWithPasswordResponse response;
    result =
        Print(cdkv::v1::AuthService::NewStub(channel())->SignInWithPassword(
                  Context(options).get(), request, &response),
              response);
  });

  // --- catalog ---
  app.add_subcommand("procedures", "list the procedures")->callback([&] {
    cdkv::v1::ListProceduresResponse response;
    result = Print(cdkv::v1::CatalogService::NewStub(channel())->ListProcedures(
                       Context(options).get(), {}, &response),
                   response);
  });
  app.add_subcommand("communes", "list communes and their desks")
      ->callback([&] {
        cdkv::v1::ListCommunesResponse response;
        result =
            Print(cdkv::v1::CatalogService::NewStub(channel())->ListCommunes(
                      Context(options).get(), {}, &response),
                  response);
      });

  // --- citizen ---
  std::string procedure, commune, filing_id, desk_code;
  std::vector<std::string> photos;
  auto* file = app.add_subcommand(
      "file",
      "start a filing, upload photos (path or path:kind) and submit it");
  file->add_option("--procedure", procedure)->required();
  file->add_option("--commune", commune)->required();
  file->add_option("--photo", photos)->required();
  file->callback([&] {
    auto stub = cdkv::v1::CitizenService::NewStub(channel());
    cdkv::v1::CreateFilingRequest create;
    create.set_request_id(RequestId());
    create.set_procedure_code(procedure);
    create.set_commune_code(commune);
    cdkv::v1::CreateFilingResponse created;
    grpc::Status s =
        stub->CreateFiling(Context(options).get(), create, &created);
    if (!s.ok()) {
      result = Print(s, created);
      return;
    }
    for (const std::string& spec : photos) {
      const size_t colon = spec.rfind(':');
      const std::string path =
          colon == std::string::npos ? spec : spec.substr(0, colon);
      const std::string kind =
          colon == std::string::npos ? "" : spec.substr(colon + 1);
      const std::string bytes = ReadFile(path);
      auto context = Context(options);
      cdkv::v1::UploadDocumentResponse uploaded;
      auto writer = stub->UploadDocument(context.get(), &uploaded);
      cdkv::v1::UploadDocumentRequest header;
      header.mutable_header()->set_request_id(RequestId());
      header.mutable_header()->set_filing_id(created.filing().filing_id());
      header.mutable_header()->set_declared_kind(kind);
      header.mutable_header()->set_size_bytes(
          static_cast<int64_t>(bytes.size()));
      writer->Write(header);
      for (size_t offset = 0; offset < bytes.size(); offset += 512 * 1024) {
        cdkv::v1::UploadDocumentRequest chunk;
        chunk.set_chunk(bytes.substr(offset, 512 * 1024));
        if (!writer->Write(chunk)) break;
      }
      writer->WritesDone();
      s = writer->Finish();
      if (!s.ok()) {
        std::cerr << "cdkv: " << path << ": ";
        result = Print(s, uploaded);
        return;
      }
    }
    cdkv::v1::SubmitFilingRequest submit;
    submit.set_request_id(RequestId());
    submit.set_filing_id(created.filing().filing_id());
    cdkv::v1::SubmitFilingResponse submitted;
    result =
        Print(stub->SubmitFiling(Context(options).get(), submit, &submitted),
              submitted);
  });
  auto* status = app.add_subcommand("status", "show one of your filings");
  status->add_option("filing", filing_id)->required();
  status->callback([&] {
    cdkv::v1::GetFilingRequest request;
    request.set_filing_id(filing_id);
    cdkv::v1::GetFilingResponse response;
    result = Print(cdkv::v1::CitizenService::NewStub(channel())->GetFiling(
                       Context(options).get(), request, &response),
                   response);
  });
  app.add_subcommand("notifications", "list your notifications")->callback([&] {
    cdkv::v1::ListNotificationsResponse response;
    result =
        Print(cdkv::v1::CitizenService::NewStub(channel())->ListNotifications(
                  Context(options).get(), {}, &response),
              response);
  });
  int stars = 0;
  auto* rate =
      app.add_subcommand("rate", "rate a completed filing, 1 to 5 stars");
  rate->add_option("filing", filing_id)->required();
  rate->add_option("stars", stars)->required();
  rate->callback([&] {
    cdkv::v1::RateFilingRequest request;
    request.set_request_id(RequestId());
    request.set_filing_id(filing_id);
    request.set_stars(stars);
    cdkv::v1::RateFilingResponse response;
    result = Print(cdkv::v1::CitizenService::NewStub(channel())->RateFiling(
                       Context(options).get(), request, &response),
                   response);
  });

  // --- desk officer ---
  auto* queue = app.add_subcommand(
      "queue", "list a desk's queue, nearest deadline first");
  queue->add_option("desk", desk_code)->required();
  queue->callback([&] {
    cdkv::v1::ListDeskQueueRequest request;
    request.set_desk_code(desk_code);
    request.set_include_claimed(true);
    cdkv::v1::ListDeskQueueResponse response;
    result = Print(cdkv::v1::DeskService::NewStub(channel())->ListDeskQueue(
                       Context(options).get(), request, &response),
                   response);
  });
  auto* claim = app.add_subcommand(
      "claim", "claim a filing (the next one if none is named)");
  claim->add_option("desk", desk_code)->required();
  claim->add_option("filing", filing_id);
  claim->callback([&] {
    cdkv::v1::ClaimFilingRequest request;
    request.set_request_id(RequestId());
    request.set_desk_code(desk_code);
    request.set_filing_id(filing_id);
    cdkv::v1::ClaimFilingResponse response;
    result = Print(cdkv::v1::DeskService::NewStub(channel())->ClaimFiling(
                       Context(options).get(), request, &response),
                   response);
  });
  auto* show = app.add_subcommand(
      "show", "show a filing of your desk with its pre-filled form");
  show->add_option("filing", filing_id)->required();
  show->callback([&] {
    cdkv::v1::GetDeskFilingRequest request;
    request.set_filing_id(filing_id);
    cdkv::v1::GetDeskFilingResponse response;
    result = Print(cdkv::v1::DeskService::NewStub(channel())->GetDeskFiling(
                       Context(options).get(), request, &response),
                   response);
  });
  std::vector<std::string> corrections;
  auto* confirm = app.add_subcommand(
      "confirm",
      "confirm a claimed filing, with corrections form_code/key=value");
  confirm->add_option("filing", filing_id)->required();
  confirm->add_option("--set", corrections);
  confirm->callback([&] {
    cdkv::v1::ConfirmFilingRequest request;
    request.set_request_id(RequestId());
    request.set_filing_id(filing_id);
    for (const std::string& c : corrections) {
      const size_t slash = c.find('/'), equals = c.find('=');
      if (slash == std::string::npos || equals == std::string::npos ||
          equals < slash) {
        std::cerr << "cdkv: --set takes form_code/key=value, not '" << c
                  << "'\n";
        result = 2;
        return;
      }
      cdkv::v1::FieldCorrection* correction = request.add_corrections();
      correction->set_form_code(c.substr(0, slash));
      correction->set_key(c.substr(slash + 1, equals - slash - 1));
      correction->set_value(c.substr(equals + 1));
    }
    cdkv::v1::ConfirmFilingResponse response;
    result = Print(cdkv::v1::DeskService::NewStub(channel())->ConfirmFiling(
                       Context(options).get(), request, &response),
                   response);
  });
  auto* process =
      app.add_subcommand("process", "start processing a confirmed filing");
  process->add_option("filing", filing_id)->required();
  process->callback([&] {
    cdkv::v1::StartProcessingRequest request;
    request.set_request_id(RequestId());
    request.set_filing_id(filing_id);
    cdkv::v1::StartProcessingResponse response;
    result = Print(cdkv::v1::DeskService::NewStub(channel())->StartProcessing(
                       Context(options).get(), request, &response),
                   response);
  });
  auto* ready = app.add_subcommand(
      "ready", "mark the result ready and notify the citizen");
  ready->add_option("filing", filing_id)->required();
  ready->callback([&] {
    cdkv::v1::MarkResultReadyRequest request;
    request.set_request_id(RequestId());
    request.set_filing_id(filing_id);
    cdkv::v1::MarkResultReadyResponse response;
    result = Print(cdkv::v1::DeskService::NewStub(channel())->MarkResultReady(
                       Context(options).get(), request, &response),
                   response);
  });
  std::string pickup_code;
  auto* pickup = app.add_subcommand(
      "pickup", "record the pickup against the citizen's code");
  pickup->add_option("filing", filing_id)->required();
  pickup->add_option("code", pickup_code)->required();
  pickup->callback([&] {
    cdkv::v1::RecordPickupRequest request;
    request.set_request_id(RequestId());
    request.set_filing_id(filing_id);
    request.set_pickup_code(pickup_code);
    cdkv::v1::RecordPickupResponse response;
    result = Print(cdkv::v1::DeskService::NewStub(channel())->RecordPickup(
                       Context(options).get(), request, &response),
                   response);
  });

  // --- supervisor ---
  std::string grouping = "commune";
  auto* saved = app.add_subcommand("time-saved", "time saved, by component");
  saved
      ->add_option("--by", grouping,
                   "commune, district, procedure, day or month")
      ->check(
          CLI::IsMember({"commune", "district", "procedure", "day", "month"}));
  saved->callback([&] {
    cdkv::v1::GetTimeSavedRequest request;
    const std::map<std::string, cdkv::v1::Grouping> kGroupings = {
        {"commune", cdkv::v1::GROUPING_COMMUNE},
        {"district", cdkv::v1::GROUPING_DISTRICT},
        {"procedure", cdkv::v1::GROUPING_PROCEDURE},
        {"day", cdkv::v1::GROUPING_DAY},
        {"month", cdkv::v1::GROUPING_MONTH}};
    request.set_grouping(kGroupings.at(grouping));
    cdkv::v1::GetTimeSavedResponse response;
    result =
        Print(cdkv::v1::SupervisionService::NewStub(channel())->GetTimeSaved(
                  Context(options).get(), request, &response),
              response);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return result;
}
