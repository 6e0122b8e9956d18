"""The real ASGI application plus static files and uploaded media, for the journeys' server
process (DEBUG is off in tests, nothing is collected and nothing serves MEDIA_ROOT)."""

from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.http import FileResponse, HttpRequest
from django.views.static import serve

from marketmate.asgi import application as marketmate_application


class ASGIMediaFilesHandler(ASGIStaticFilesHandler):
    """Serves MEDIA_URL from MEDIA_ROOT; everything else goes on to the wrapped application."""

    def get_base_url(self) -> str:
        return str(settings.MEDIA_URL)

    def serve(self, request: HttpRequest) -> FileResponse:
        return serve(  # type: ignore[return-value]
            request, self.file_path(request.path), document_root=settings.MEDIA_ROOT
        )


application = ASGIMediaFilesHandler(ASGIStaticFilesHandler(marketmate_application))
