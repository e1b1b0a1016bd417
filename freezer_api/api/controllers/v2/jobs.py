"""/v2/{project_id}/jobs: thin handlers over freezer_api.domain.jobs."""

from freezer_api.api import requests
from freezer_api.domain import jobs


def list_jobs(call):
    limit, offset = requests.paging(call.request)
    found = call.read(jobs.list_documents, call.project_id,
                      requests.filters(call.request), limit, offset)
    return 200, {'jobs': found}


def create(call):
    body = jobs.prepare(requests.object_body(call.request))
    return 201, call.write(jobs.create, call.project_id, call.user_id, body)


def show(call, job_id):
    return 200, call.read(jobs.show, call.project_id, job_id)


def patch(call, job_id):
    body = jobs.prepare(requests.object_body(call.request), patch=True)
    version = call.write(jobs.patch, call.project_id, call.user_id, job_id,
                         body)
    return 200, {'job_id': job_id, 'version': version}


def replace(call, job_id):
    body = jobs.prepare(requests.object_body(call.request))
    version = call.write(jobs.replace, call.project_id, call.user_id,
                         job_id, body)
    return 201, {'job_id': job_id, 'version': version}


def delete(call, job_id):
    call.write(jobs.delete, call.project_id, job_id)
    return 204, None


def event(call, job_id):
    body = requests.read_body(call.request)
    result = call.write(jobs.event, call.project_id, job_id, body)
    return 202, {'result': result}
